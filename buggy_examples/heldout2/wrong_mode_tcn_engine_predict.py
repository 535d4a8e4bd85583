"""Seeded bug: a 1-D temporal convolution network with BatchNorm and dropout
trained on 400 sequences by an Engine class with callbacks. A "log sample
predictions" callback calls engine.predict(), which switches the model to
eval mode, at the first step of every epoch, and nothing switches it back:
almost all training runs with BatchNorm in eval mode (running statistics
that never update and stay at their initial values on inputs with an
offset of ~3) and without dropout. Measured: loss 0.48 vs 0.04 after 5
epochs, validation accuracy 0.984 vs 0.998 (10x the errors) compared with
fit() calling model.train() at each step."""
# traindebug-expect: wrong_mode
import torch
from torch import nn


def make_sequences(n, length=64, seed=0):
    """Label: does a rising ramp appear somewhere in the noisy signal (offset ~ +3)."""
    g = torch.Generator().manual_seed(seed)
    x = 3.0 + torch.randn(n, 1, length, generator=g)
    y = torch.randint(0, 2, (n,), generator=g)
    pos = torch.randint(0, length - 16, (n,), generator=g)
    ramp = torch.linspace(0, 3, 16)
    for i in torch.nonzero(y).flatten().tolist():
        x[i, 0, pos[i] : pos[i] + 16] += ramp
    return x, y


class TCN(nn.Module):
    def __init__(self, ch=32):
        super().__init__()
        layers, in_ch = [], 1
        for dilation in (1, 2, 4, 8):
            layers += [nn.Conv1d(in_ch, ch, 3, padding=dilation, dilation=dilation), nn.BatchNorm1d(ch),
                       nn.ReLU(), nn.Dropout(0.2)]
            in_ch = ch
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(ch, 2)

    def forward(self, x):
        return self.head(self.body(x).amax(dim=2))


class Engine:
    def __init__(self, model, opt, callbacks=()):
        self.model, self.opt, self.callbacks = model, opt, list(callbacks)
        self.loss_fn = nn.CrossEntropyLoss()

    def predict(self, x):
        self.model.eval()
        with torch.no_grad():
            return self.model(x).argmax(1)

    def fit(self, x, y, epochs, batch=64):
        self.model.train()  # BUG: only once, before the loop
        for epoch in range(epochs):
            perm = torch.randperm(len(x))
            for i in range(0, len(x), batch):
                b = perm[i : i + batch]
                for cb in self.callbacks:
                    cb(self, epoch, i)
                loss = self.loss_fn(self.model(x[b]), y[b])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
            if epoch % 5 == 0:
                print(f"epoch {epoch} loss {loss.item():.3f}")


def log_predictions(sample_x):
    def callback(engine, epoch, i):
        if i == 0:
            print("sample predictions", engine.predict(sample_x).tolist())
    return callback


torch.manual_seed(0)
x, y = make_sequences(2400)
x_train, y_train, x_val, y_val = x[:400], y[:400], x[400:], y[400:]
model = TCN()
engine = Engine(model, torch.optim.Adam(model.parameters(), lr=1e-3), [log_predictions(x_val[:8])])
engine.fit(x_train, y_train, epochs=40)
print("val acc", (engine.predict(x_val) == y_val).float().mean().item())
