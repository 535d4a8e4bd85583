"""Human-activity classifier: synthetic 3-axis accelerometer windows -> Linear embed ->
sequence-first nn.LSTM (mean + last-state pooling) -> MLP head, RMSprop.

Seeded bug (batch_mixing): to go from (batch, time, hidden) to the LSTM's
(time, batch, hidden) layout the code uses `h.view(h.size(1), h.size(0), -1)`
instead of `h.transpose(0, 1)`; the view reinterprets memory, so each "sequence"
the LSTM sees is stitched together from time steps of different samples and
every output depends on other samples in the batch.
Measured after 228 steps: buggy train loss 1.386 (= ln 4), val acc 0.245 (chance);
fixed (`h.transpose(0, 1)`): train loss 0.001, val acc 0.998.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(13)
rng = np.random.default_rng(13)

N_CLASSES, T, F_IN = 4, 40, 3


def make_activity(n):
    """Synthetic 3-axis accelerometer windows; activity decides dominant axis / rhythm."""
    y = rng.integers(0, N_CLASSES, size=n)
    t = np.arange(T)[None, :] / 20.0
    freq = np.array([0.8, 1.6, 2.5, 1.6])[y][:, None] * rng.uniform(0.85, 1.15, size=(n, 1))
    axis_gain = np.array([[1, .2, .2], [.2, 1, .2], [.5, .5, .2], [.2, .2, 1.]])[y]
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    base = np.sin(2 * np.pi * freq * t + phase)
    x = base[:, :, None] * axis_gain[:, None, :]
    x += 0.3 * rng.normal(size=x.shape)
    x[:, :, 2] += 1.0  # gravity on z
    return x.astype(np.float32), y


x_train, y_train = make_activity(2400)
x_val, y_val = make_activity(600)
mean, std = x_train.mean((0, 1)), x_train.std((0, 1))
x_train = torch.from_numpy((x_train - mean) / std)
x_val = torch.from_numpy((x_val - mean) / std)
y_train, y_val = torch.from_numpy(y_train), torch.from_numpy(y_val)


class ActivityLSTM(nn.Module):
    """Sequence-first LSTM (cuDNN-friendly layout) with mean+last pooling."""

    def __init__(self, hidden=48):
        super().__init__()
        self.embed = nn.Linear(F_IN, hidden)
        self.lstm = nn.LSTM(hidden, hidden, num_layers=1)
        self.classifier = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, N_CLASSES))

    def forward(self, x):                       # x: (batch, time, feat)
        h = torch.relu(self.embed(x))
        h = h.view(h.size(1), h.size(0), -1)    # -> (time, batch, hidden) for the LSTM
        out, (h_n, _) = self.lstm(h)
        pooled = torch.cat([out.mean(0), h_n[-1]], dim=-1)
        return self.classifier(pooled)


def run(epochs=6, bs=64, lr=2e-3):
    model = ActivityLSTM()
    opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.95)
    crit = nn.CrossEntropyLoss()
    best = 0.0
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(x_train))
        losses = []
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = crit(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            val_acc = sum((model(x_val[j:j + 200]).argmax(1) == y_val[j:j + 200]).sum().item()
                          for j in range(0, len(x_val), 200)) / len(x_val)
        best = max(best, val_acc)
        print(f"epoch {ep}  loss {np.mean(losses):.4f}  val_acc {val_acc:.3f}")
    print(f"best val acc {best:.3f}")


run()
