"""Regression of effective diffusivity D (~1e-3 cm^2/s) of a porous medium.

Healthy control.  Pattern that might fool a naive detector: the regression
targets are tiny (mean 9.6e-4, std 6.0e-4) and the model output is in those
physical units.  The MLP works on standardised units internally and its output
is mapped back through registered buffers (y_std, y_mean); the loss is the
residual divided by y_std, so it is O(1) at init.  Inputs are standardised.

Measured: loss 1.66 -> 0.0036 (train) / 0.0043 (test, normalised units) in
300 Adam steps; test RMSE 4.0e-5 cm^2/s, R2 0.996.
"""
# traindebug-expect: clean

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(6)
np.random.seed(6)
torch.set_num_threads(1)

# Effective diffusivity D (m^2/s scaled to cm^2/s, ~1e-3) of a porous medium
# as a function of porosity, tortuosity, temperature and pore radius.
n = 3000
porosity = np.random.uniform(0.1, 0.6, n)
tortuosity = np.random.uniform(1.2, 4.0, n)
temp = np.random.uniform(280.0, 360.0, n)
pore_nm = np.random.uniform(2.0, 50.0, n)
D0 = 2.0e-3 * (temp / 300.0) ** 1.75
knudsen = pore_nm / (pore_nm + 8.0)
D = D0 * porosity / tortuosity * knudsen * 4.0
D = D * (1.0 + 0.02 * np.random.randn(n))
print(f"target D: mean {D.mean():.2e}  std {D.std():.2e}")

F = np.stack([porosity, tortuosity, temp, np.log(pore_nm)], 1)
perm = np.random.permutation(n)
tr, te = perm[:2400], perm[2400:]
f_mu, f_sd = F[tr].mean(0), F[tr].std(0)
X = ((F - f_mu) / f_sd).astype(np.float32)
Y = D[:, None].astype(np.float32)
Xtr, Ytr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
Xte, Yte = torch.from_numpy(X[te]), torch.from_numpy(Y[te])


class ScaledRegressor(nn.Module):
    """MLP on standardised units; output mapped back to physical units."""
    def __init__(self, y_mean, y_std, d_in=4, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, 1),
        )
        self.register_buffer("y_mean", torch.tensor(float(y_mean)))
        self.register_buffer("y_std", torch.tensor(float(y_std)))

    def forward(self, x):
        return self.net(x) * self.y_std + self.y_mean


model = ScaledRegressor(Ytr.mean(), Ytr.std())
opt = torch.optim.Adam(model.parameters(), lr=2e-3)

def loss_fn(pred, target):
    # residual measured in units of the target's spread
    return (((pred - target) / model.y_std) ** 2).mean()

steps, bs = 300, 64
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    loss = loss_fn(model(Xtr[bi]), Ytr[bi])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == steps - 1:
        with torch.no_grad():
            te_loss = loss_fn(model(Xte), Yte).item()
        print(f"step {step:4d}  train {loss.item():.4f}  test {te_loss:.4f}")

with torch.no_grad():
    pred = model(Xte)
    rmse = torch.sqrt(((pred - Yte) ** 2).mean()).item()
    r2 = 1 - ((pred - Yte) ** 2).mean().item() / Yte.var().item()
print(f"test RMSE {rmse:.2e}  R2 {r2:.4f}")
