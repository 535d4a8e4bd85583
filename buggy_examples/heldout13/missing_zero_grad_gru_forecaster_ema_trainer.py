"""GRU forecaster for damped sinusoids (predict the value 5 steps past the window), Trainer
class with callbacks and an exponential moving average (EMA) copy of the weights used for
validation. SGD with momentum.

Seeded bug: Trainer.fit calls self.opt.zero_grad() once at the start of each epoch instead of
before every backward, so within an epoch each step applies the sum of all previous batch
gradients of the epoch (the "accumulation" grows every step), on top of momentum.
Measured: train MSE 0.371 after epoch 0, then 93.9, 1.7e9, ... 5.9e32 after 6 epochs (144 steps),
EMA val MSE 1.4e31 (target variance 0.206). Fixed copy (zero_grad before every backward): train MSE falls steadily
0.203 -> 0.110, EMA val MSE 0.200 -> 0.140.
"""
# traindebug-expect: missing_zero_grad
import copy
import math
import torch
import torch.nn as nn

torch.manual_seed(0)


def make_series(n, T=30):
    """Damped sinusoids; target = value 5 steps after the window."""
    t = torch.arange(T + 5, dtype=torch.float32)
    freq = 0.1 + 0.3 * torch.rand(n, 1)
    phase = 2 * math.pi * torch.rand(n, 1)
    decay = 0.005 + 0.02 * torch.rand(n, 1)
    s = torch.exp(-decay * t) * torch.sin(freq * t + phase) + 0.03 * torch.randn(n, T + 5)
    return s[:, :T].unsqueeze(-1), s[:, T + 4:T + 5]


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.proj = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.proj(h[-1])


class EMA:
    def __init__(self, model, decay=0.98):
        self.shadow = copy.deepcopy(model).eval()
        for p in self.shadow.parameters():
            p.requires_grad_(False)
        self.decay = decay

    @torch.no_grad()
    def update(self, model):
        for s, p in zip(self.shadow.parameters(), model.parameters()):
            s.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)


class Trainer:
    def __init__(self, model, lr=0.02, batch_size=50, epochs=6):
        self.model = model
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        self.ema = EMA(model)
        self.batch_size = batch_size
        self.epochs = epochs
        self.loss_fn = nn.MSELoss()
        self.callbacks = []

    def fit(self, X, y, Xv, yv):
        n = len(X)
        step = 0
        for epoch in range(self.epochs):
            self.model.train()
            perm = torch.randperm(n)
            self.opt.zero_grad()
            running = 0.0
            for i in range(0, n, self.batch_size):
                idx = perm[i:i + self.batch_size]
                loss = self.loss_fn(self.model(X[idx]), y[idx])
                loss.backward()
                self.opt.step()
                self.ema.update(self.model)
                running += loss.item() * len(idx)
                step += 1
            logs = {"epoch": epoch, "step": step, "train_mse": running / n,
                    "val_mse_ema": self.evaluate(Xv, yv)}
            for cb in self.callbacks:
                cb(logs)
        return self

    @torch.no_grad()
    def evaluate(self, X, y):
        return self.loss_fn(self.ema.shadow(X), y).item()


def print_logs(logs):
    print(f"epoch {logs['epoch']} step {logs['step']} train mse {logs['train_mse']:.4f} "
          f"val mse (EMA) {logs['val_mse_ema']:.4f}")


if __name__ == "__main__":
    X, y = make_series(1200)
    Xv, yv = make_series(300)
    print(f"target variance {y.var().item():.4f}")
    trainer = Trainer(Forecaster())
    trainer.callbacks.append(print_logs)
    trainer.fit(X, y, Xv, yv)
