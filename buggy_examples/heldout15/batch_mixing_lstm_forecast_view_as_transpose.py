"""Hourly load forecasting with sliding windows (48 h history -> next hour) and a
single-layer LSTM in the default sequence-first layout.

Seeded bug (batch_mixing): the windows come in as (batch, seq, feat) and the
model converts them to the LSTM's (seq, batch, feat) layout with
`x.view(x.size(1), x.size(0), -1)` instead of a transpose.  view() only
reinterprets memory, so each "time step" the LSTM sees is a slice of values
taken from different windows, and every forecast depends on the other samples
in the minibatch.

Measured (7 epochs, 203 steps, standardised target): train MSE stuck at ~1.00,
val MSE 1.40-1.45 (no better than predicting the mean).  Fixed copy
(`x.transpose(0, 1)`): train MSE 0.115, val MSE 0.11-0.12.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# ---- synthetic hourly load curve: daily + weekly seasonality, trend, noise ----
T = 2400
tt = np.arange(T)
series = (10 + 0.002 * tt
          + 3.0 * np.sin(2 * np.pi * tt / 24)
          + 1.5 * np.sin(2 * np.pi * tt / 168 + 1.0)
          + 0.8 * np.random.randn(T)).astype(np.float32)

split = int(0.8 * T)
mu, sd = series[:split].mean(), series[:split].std()
z = (series - mu) / sd

WINDOW, HORIZON = 48, 1


def sliding_windows(arr, window, horizon):
    xs, ys = [], []
    for s in range(len(arr) - window - horizon + 1):
        xs.append(arr[s:s + window])
        ys.append(arr[s + window + horizon - 1])
    return np.stack(xs)[..., None], np.array(ys, dtype=np.float32)


X_tr, y_tr = sliding_windows(z[:split], WINDOW, HORIZON)
X_va, y_va = sliding_windows(z[split - WINDOW:], WINDOW, HORIZON)
X_tr, y_tr, X_va, y_va = map(torch.from_numpy, (X_tr, y_tr, X_va, y_va))


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden)   # expects (seq, batch, feat)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):                 # x: (batch, seq, feat)
        x = x.view(x.size(1), x.size(0), -1)
        out, _ = self.lstm(x)
        return self.head(out[-1]).squeeze(-1)


model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.MSELoss()
bs, epochs = 64, 7
naive_mse = loss_fn(X_va[:, -1, 0], y_va).item()
print(f"persistence baseline val MSE {naive_mse:.4f}")
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot, nb = 0.0, 0
    for s in range(0, len(X_tr) - bs + 1, bs):
        idx = perm[s:s + bs]
        loss = loss_fn(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot, nb = tot + loss.item(), nb + 1
    model.eval()
    with torch.no_grad():
        va = np.mean([loss_fn(model(X_va[s:s + bs]), y_va[s:s + bs]).item()
                      for s in range(0, len(X_va) - bs + 1, bs)])
    print(f"epoch {epoch}  train MSE {tot / nb:.4f}  val MSE {va:.4f}")
