"""
Multi-step forecaster for synthetic sine-plus-trend windows (40 past values -> 10 ahead):
nn.Sequential 1-D CNN (Conv1d 1->32 k5, Conv1d 32->32 k5, ReLU, max-pool, Linear 640->64,
Linear 64->10), AdamW lr 2e-3 wd 1e-4, DataLoader batch 64, 6 epochs (282 steps).

Seeded bug: an init hook makes every filter a moving average (constant weight
1/(in_channels*kernel)) and every Linear an average (constant 1/in_features), zero biases, so the
untrained net is a smoother. Constant weights make all 32 channels of each conv layer and all 64
hidden units identical; they get identical gradients, so they stay identical for the whole run
and the network behaves as if every layer had width 1.

Measured (seed 0, 1 thread): buggy: final train MSE 1.032, val MSE 1.011 (persistence baseline
2.008). Fixed copy (model.apply(moving_average_init) removed, default PyTorch init): train MSE
0.084, val MSE 0.097.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONTEXT, HORIZON = 40, 10


def make_dataset(n, rng):
    t = np.arange(CONTEXT + HORIZON)[None, :]
    period = rng.uniform(8, 25, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.5, 2.0, (n, 1))
    slope = rng.normal(0, 0.02, (n, 1))
    x = amp * np.sin(2 * np.pi * t / period + phase) + slope * t + rng.normal(0, 0.1, (n, t.shape[1]))
    x = x.astype(np.float32)
    return torch.tensor(x[:, :CONTEXT]), torch.tensor(x[:, CONTEXT:])


def moving_average_init(m):
    # start every filter as a plain moving average so the untrained net is a smoother
    if isinstance(m, nn.Conv1d):
        nn.init.constant_(m.weight, 1.0 / (m.in_channels * m.kernel_size[0]))
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1.0 / m.in_features)
        nn.init.zeros_(m.bias)


model = nn.Sequential(
    nn.Unflatten(1, (1, CONTEXT)),
    nn.Conv1d(1, 32, kernel_size=5, padding=2), nn.ReLU(),
    nn.Conv1d(32, 32, kernel_size=5, padding=2), nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Flatten(),
    nn.Linear(32 * CONTEXT // 2, 64), nn.ReLU(),
    nn.Linear(64, HORIZON),
)
model.apply(moving_average_init)

rng = np.random.default_rng(0)
x_tr, y_tr = make_dataset(3000, rng)
x_va, y_va = make_dataset(600, rng)
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(6):
    model.train()
    tot = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
        step += 1
    model.eval()
    with torch.no_grad():
        va = loss_fn(model(x_va), y_va).item()
    print(f"epoch {epoch + 1} ({step} steps): train mse {tot / len(x_tr):.4f}  val mse {va:.4f}")

with torch.no_grad():
    persistence = loss_fn(x_va[:, -1:].expand_as(y_va), y_va).item()
print(f"final val mse {va:.4f} (persistence baseline {persistence:.4f})")
