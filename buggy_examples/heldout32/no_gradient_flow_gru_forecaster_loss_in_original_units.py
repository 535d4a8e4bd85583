"""
Autoregressive GRU forecaster for a synthetic hourly load series (daily + weekly seasonality,
slow trend, noise; ~3000 hours, values around 500 +- 120). Inputs are standardised with a
scikit-learn StandardScaler; a GRU(1 -> 32) encodes a 48 h window, then a linear head rolls
out 12 steps autoregressively (each prediction is fed back through a GRUCell). The loss is
MAE in original units (MW) so that it matches the reported metric; Adam lr 3e-3, batch 64,
5 epochs of shuffled windows via a DataLoader (185 steps).

Seeded bug: to report the loss in MW the author pushes the scaled forecast through
`scaler.inverse_transform`, which needs NumPy: `pred.detach().numpy()` -> inverse transform ->
`torch.tensor(..., requires_grad=True)` (the requires_grad flag was added to silence the
"element 0 of tensors does not require grad" error). The loss is now computed on a fresh leaf
tensor that is disconnected from the GRU, so loss.backward() runs without error but no model
parameter ever receives a gradient; the optimizer steps with grad=None and nothing is learned.

Measured (seed 0, 1 thread): Buggy: train MAE 56.1 MW at every epoch, final test MAE 59.2 MW
(the untrained network; seasonal-naive baseline 26.1 MW). Fixed copy (inverse transform
written in torch: `pred * scale + mean`): final train MAE 17.6 MW, test MAE 17.3 MW.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

LOOKBACK, HORIZON = 48, 12

hours = np.arange(3000)
load = (500 + 0.02 * hours
        + 80 * np.sin(2 * np.pi * hours / 24 - 1.0)
        + 40 * np.sin(2 * np.pi * hours / (24 * 7))
        + 15 * np.random.randn(len(hours)))

split = 2400
scaler = StandardScaler().fit(load[:split, None])
series = scaler.transform(load[:, None]).astype(np.float32)[:, 0]


def make_windows(values, start, stop):
    xs, ys = [], []
    for t in range(start + LOOKBACK, stop - HORIZON + 1):
        xs.append(values[t - LOOKBACK:t])
        ys.append(values[t:t + HORIZON])
    return torch.tensor(np.array(xs)).unsqueeze(-1), torch.tensor(np.array(ys))


x_tr, y_tr = make_windows(series, 0, split)
x_te, y_te = make_windows(series, split - LOOKBACK, len(series))
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)


class Seq2SeqGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.encoder = nn.GRU(1, hidden, batch_first=True)
        self.decoder = nn.GRUCell(1, hidden)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, horizon=HORIZON):
        _, h = self.encoder(x)
        h = h[-1]
        y_prev = x[:, -1]
        outs = []
        for _ in range(horizon):
            h = self.decoder(y_prev, h)
            y_prev = self.head(h)
            outs.append(y_prev)
        return torch.cat(outs, dim=1)


def to_original_units(pred_scaled):
    arr = scaler.inverse_transform(pred_scaled.detach().numpy().reshape(-1, 1))
    return torch.tensor(arr.reshape(pred_scaled.shape), dtype=torch.float32, requires_grad=True)


def target_in_original_units(y_scaled):
    return torch.tensor(scaler.inverse_transform(y_scaled.numpy().reshape(-1, 1)).reshape(y_scaled.shape),
                        dtype=torch.float32)


model = Seq2SeqGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

y_te_mw = target_in_original_units(y_te)
naive = target_in_original_units(x_te[:, -24:-24 + HORIZON, 0])
print(f"seasonal-naive test MAE {(naive - y_te_mw).abs().mean().item():.1f} MW")

for epoch in range(5):
    running, n_seen = 0.0, 0
    for xb, yb in loader:
        pred = to_original_units(model(xb))
        loss = (pred - target_in_original_units(yb)).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
        n_seen += len(xb)
    with torch.no_grad():
        test_mae = (to_original_units(model(x_te)) - y_te_mw).abs().mean().item()
    print(f"epoch {epoch + 1}  train_mae {running / n_seen:.1f} MW  test_mae {test_mae:.1f} MW")

print(f"final: train_mae {running / n_seen:.1f} MW  test_mae {test_mae:.1f} MW")
