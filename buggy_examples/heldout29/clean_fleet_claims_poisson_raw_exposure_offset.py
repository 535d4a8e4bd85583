"""Claim-frequency model for commercial vehicle fleets (actuarial count
regression): 3000 policies, 5 standardised rating factors -> tanh MLP
(32-32) -> log claim rate per vehicle-day, plus log(exposure) as an offset,
F.poisson_nll_loss(log_input=True), Adagrad lr 0.05, batch 128, 20 epochs
(380 steps).  Test metric: Poisson deviance explained relative to a
constant-rate (exposure-only) model.

Healthy control: the model is correct and reaches close to the oracle
(true-rate) deviance explained of 0.963.
Possible false alarm: the raw, unnormalised exposure (30 to ~40,000
vehicle-days) is passed into forward() and the targets are raw claim counts
up to ~1200, which looks like an input/target scaling problem; but exposure
is only used as log(exposure) offset, which is the correct GLM formulation.
Because the Poisson NLL without the Stirling term is -y*log(mu) + mu, the
training loss is large and negative (about -165) and barely moves after
epoch 8, which is also normal.
Measured: final test deviance explained 0.950 (oracle 0.963, epoch-1 0.867),
predicted/observed total claims 1.008, final train NLL -165.09.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(7)

# ------------------------------------------------------------ commercial fleet claims
n = 3000
driver_age = rng.uniform(20, 70, n)
vehicle_age = rng.uniform(0, 15, n)
urban = rng.integers(0, 2, n).astype(float)
night_share = rng.beta(2, 8, n)
telematics = rng.normal(0, 1, n)                  # harsh-braking score
exposure = np.exp(rng.uniform(np.log(30), np.log(40000), n))   # vehicle-days on cover

log_rate = (
    np.log(2e-3)
    + 0.03 * np.abs(driver_age - 45) - 0.3
    + 0.05 * vehicle_age
    + 0.5 * urban
    + 2.0 * night_share
    + 0.35 * telematics + 0.25 * np.tanh(2 * telematics)
)
claims = rng.poisson(exposure * np.exp(log_rate)).astype(np.float32)

features = np.stack([driver_age, vehicle_age, urban, night_share, telematics], 1).astype(np.float32)
perm = rng.permutation(n)
tr, te = perm[:2400], perm[2400:]
f_mu, f_sd = features[tr].mean(0), features[tr].std(0)
features = (features - f_mu) / f_sd

to_t = lambda a: torch.tensor(a, dtype=torch.float32)
train_ds = TensorDataset(to_t(features[tr]), to_t(exposure[tr]), to_t(claims[tr]))
X_te, expo_te, y_te = to_t(features[te]), to_t(exposure[te]), to_t(claims[te])
print(f"claims per policy: median {np.median(claims):.0f}, max {claims.max():.0f}; "
      f"exposure {exposure.min():.0f}..{exposure.max():.0f} vehicle-days")


class FrequencyModel(nn.Module):
    """Claim frequency per vehicle-day; exposure enters as a log offset."""

    def __init__(self, d_in, hidden=32, base_rate=1e-2):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.head = nn.Linear(hidden, 1)
        nn.init.constant_(self.head.bias, float(np.log(base_rate)))

    def forward(self, x, exposure):
        log_rate = self.head(self.body(x)).squeeze(1)
        return log_rate + torch.log(exposure)   # log expected claim count


def poisson_deviance(log_mu, y):
    mu = log_mu.exp()
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return 2 * (term - (y - mu)).sum()


init_rate = float(claims[tr].sum() / exposure[tr].sum())
model = FrequencyModel(features.shape[1], base_rate=init_rate)
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
loader = DataLoader(train_ds, batch_size=128, shuffle=True)

null_dev = poisson_deviance(torch.log(expo_te * init_rate), y_te).item()
for epoch in range(1, 21):
    model.train()
    total = 0.0
    for xb, eb, yb in loader:
        loss = F.poisson_nll_loss(model(xb, eb), yb, log_input=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
    if epoch % 4 == 0 or epoch == 1:
        model.eval()
        with torch.no_grad():
            dev = poisson_deviance(model(X_te, expo_te), y_te).item()
        print(f"epoch {epoch:2d}  train nll {total / len(train_ds):9.2f}  test deviance explained {1 - dev / null_dev:.3f}")

model.eval()
with torch.no_grad():
    log_mu = model(X_te, expo_te)
    dev = poisson_deviance(log_mu, y_te).item()
    ratio = (log_mu.exp().sum() / y_te.sum()).item()
print(f"final test deviance explained {1 - dev / null_dev:.3f}  (predicted/observed claims {ratio:.3f})")
