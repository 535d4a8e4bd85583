"""Neural surrogate for a damped harmonic oscillator x'' + 2 zeta w x' + w^2 x = 0
(x(0)=1, x'(0)=0): an MLP (3 -> 96 x3 GELU -> 1) maps (zeta, w, t), scaled to
[-1, 1], to x(t).  Trajectories come from a 16 x 10 parameter sweep (50 time
points each), every 5th trajectory is held out for validation.  Adam lr 2e-3
with StepLR(8, 0.5), MSE, batch 128 from a DataLoader, 20 epochs (~800 steps).

Seeded bug: DataLoader(train_ds, batch_size=128) without shuffle=True.  The
rows are stored in sweep order (zeta outer loop, w inner loop, then time), so
each batch contains only 2-3 neighbouring trajectories with nearly identical
parameters; every epoch walks the network from low-damping to high-damping
oscillators, and each part of the parameter space is overwritten by the next
one (the final batches of an epoch always pull towards heavily damped
curves).  Gradients are strongly correlated within an epoch and the fit is
much worse everywhere.
Measured (fixed copy passes shuffle=True): final validation MSE 0.00390 vs
0.00098 (target variance 0.144); full-train MSE 0.0039 vs 0.0009.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

# ----------------------------------------------------------------------------
# Surrogate for a damped, driven-free oscillator  x'' + 2*zeta*w*x' + w^2 x = 0,
# x(0)=1, x'(0)=0.  Inputs (zeta, w, t) -> x(t).  Trajectories from a parameter sweep.
# ----------------------------------------------------------------------------
def simulate(zeta, w, t_end=6.0, n_t=50):
    # closed-form underdamped solution (zeta < 1)
    t = np.linspace(0, t_end, n_t)
    wd = w * np.sqrt(1 - zeta ** 2)
    x = np.exp(-zeta * w * t) * (np.cos(wd * t) + zeta * w / wd * np.sin(wd * t))
    return t, x


zetas = np.linspace(0.05, 0.8, 16)
omegas = np.linspace(0.8, 2.4, 10)
train_rows, val_rows = [], []
k = 0
for z in zetas:
    for w in omegas:
        t, x = simulate(z, w)
        rows = np.stack([np.full_like(t, z), np.full_like(t, w), t, x], axis=1)
        (val_rows if k % 5 == 2 else train_rows).append(rows)
        k += 1
train = np.concatenate(train_rows).astype(np.float32)
val = np.concatenate(val_rows).astype(np.float32)
print(f"train rows {len(train)} ({len(train_rows)} trajectories)  val rows {len(val)} ({len(val_rows)} trajectories)")

lo, hi = train[:, :3].min(0), train[:, :3].max(0)


def features(a):
    return torch.tensor((a[:, :3] - lo) / (hi - lo) * 2 - 1)


train_ds = TensorDataset(features(train), torch.tensor(train[:, 3:]))
Xv, yv = features(val), torch.tensor(val[:, 3:])
loader = DataLoader(train_ds, batch_size=128)

model = nn.Sequential(
    nn.Linear(3, 96), nn.GELU(),
    nn.Linear(96, 96), nn.GELU(),
    nn.Linear(96, 96), nn.GELU(),
    nn.Linear(96, 1),
)
epochs = 20
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.5)
loss_fn = nn.MSELoss()

for epoch in range(1, epochs + 1):
    model.train()
    running = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(xb)
    sched.step()
    if epoch % 4 == 0 or epoch == 1:
        model.eval()
        with torch.no_grad():
            full_train = loss_fn(model(train_ds.tensors[0]), train_ds.tensors[1]).item()
            val_mse = loss_fn(model(Xv), yv).item()
        print(f"epoch {epoch:2d}  running {running / len(train_ds):.5f}  train mse {full_train:.5f}  val mse {val_mse:.5f}")

model.eval()
with torch.no_grad():
    val_mse = loss_fn(model(Xv), yv).item()
print(f"final val mse {val_mse:.5f}  (target variance {yv.var().item():.4f})")
