"""
Seq2seq GRU forecaster for daily store sales: a GRU encoder (hidden 32) reads a 28-day lookback,
a GRUCell decoder emits the next 7 days autoregressively, with teacher forcing during training
(the previous true value is fed back). 40 generated store series (levels log-uniform between
300 and 30000 units/day, weekly seasonality, trend, 1% noise), sliding windows, MSE loss, Adam
lr 3e-3, batch 64, 300 steps on randomly sampled windows, StepLR(gamma 0.5 every 100 steps).

Seeded bug: the windows are fed to the GRU in raw units (hundreds to tens of thousands) and the
loss is computed on raw targets. Forecasting pipelines scale each window (e.g. divide by the
lookback mean) before the recurrent net; here the GRU gate pre-activations are enormous, so the
gates and tanh candidates sit at +-1 and the hidden state carries almost no information about the
level, while the MSE on raw values is dominated by the largest stores. A common omission when
moving from normalised tutorial data to real-valued series.

Measured (seed 0, 1 thread): buggy: final train MSE 1.1e8 (raw units^2), test sMAPE 197%
(seasonal-naive baseline 1.09%). Fixed copy (each window standardised by its lookback mean/std,
forecasts mapped back): final train MSE 0.0146 (scaled), test sMAPE 1.04%.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

LOOKBACK, HORIZON = 28, 7
N_SERIES, LENGTH, SPLIT = 40, 360, 300


def generate_sales():
    t = np.arange(LENGTH)
    out = []
    for _ in range(N_SERIES):
        level = np.exp(rng.uniform(np.log(300), np.log(30000)))
        weekly = rng.uniform(0.1, 0.25) * level * np.sin(2 * np.pi * t / 7 + rng.uniform(0, 2 * np.pi))
        trend = rng.uniform(-0.5, 1.0) * 1e-3 * level * t
        noise = rng.normal(0, 0.01 * level, LENGTH)
        out.append(level + weekly + trend + noise)
    return np.stack(out).astype(np.float32)


def windows(series, start, stop):
    xs, ys = [], []
    for s in series:
        for i in range(start, stop - LOOKBACK - HORIZON + 1):
            xs.append(s[i:i + LOOKBACK])
            ys.append(s[i + LOOKBACK:i + LOOKBACK + HORIZON])
    return torch.tensor(np.array(xs)), torch.tensor(np.array(ys))


class Seq2Seq(nn.Module):
    """GRU encoder-decoder; the decoder is fed the previous true value during training."""

    def __init__(self, hidden=32):
        super().__init__()
        self.encoder = nn.GRU(1, hidden, batch_first=True)
        self.decoder = nn.GRUCell(1, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x, y=None):
        _, h = self.encoder(x.unsqueeze(-1))
        h = h[0]
        prev = x[:, -1:]
        preds = []
        for t in range(HORIZON):
            h = self.decoder(prev, h)
            step_pred = self.out(h)
            preds.append(step_pred)
            prev = y[:, t:t + 1] if y is not None else step_pred
        return torch.cat(preds, 1)


def smape(pred, true):
    return (200.0 * (pred - true).abs() / (pred.abs() + true.abs())).mean().item()


data = generate_sales()
x_tr, y_tr = windows(data, 0, SPLIT)
x_te, y_te = windows(data, SPLIT - LOOKBACK, LENGTH)
print(f"train windows {len(x_tr)}, test windows {len(x_te)}")

model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.5)

for step in range(1, 301):
    idx = torch.randint(0, len(x_tr), (64,))
    xb, yb = x_tr[idx], y_tr[idx]
    loss = F.mse_loss(model(xb, yb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0:
        with torch.no_grad():
            te = smape(model(x_te), y_te)
        print(f"step {step:3d}  train mse {loss.item():.4g}  test sMAPE {te:.2f}%")

with torch.no_grad():
    naive = smape(x_te[:, -7:], y_te)
    print(f"final test sMAPE {smape(model(x_te), y_te):.2f}% (seasonal naive {naive:.2f}%)")
