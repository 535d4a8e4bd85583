"""Tweedie (compound Poisson-Gamma, p=1.5) pure-premium regression on a generated motor
insurance portfolio (12k policies, ~88% without claims, exposure-weighted).  Two-layer
ReLU MLP with log link, Adam 2e-3, batch 256, 10 epochs (360 steps), argparse config;
evaluated with sklearn's mean_tweedie_deviance on a held-out quarter.

Seeded bug: TweedieNet.forward returns the head output with shape (B, 1) while targets and
exposure weights have shape (B,).  The hand-written tweedie_loss (no shape check, unlike
nn.MSELoss which at least warns) silently broadcasts to a (B, B) matrix, so every
prediction is fitted against every policy's claim amount in the batch; the model can only
learn the batch-average premium.  Forgetting `.squeeze(-1)` on a 1-unit head is a very
common mistake with custom losses.

Measured (seed 0): buggy final test deviance 3.3257 (constant-premium baseline 3.3262,
train loss ~670 because of the B-fold sum); fixed copy (`.squeeze(-1)` in forward) 3.0041
(train loss 2.39).
"""
# traindebug-expect: loss_output_mismatch
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import mean_tweedie_deviance
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--power", type=float, default=1.5)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--batch-size", type=int, default=256)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


def simulate_policies(n):
    """Motor portfolio: claim counts ~ Poisson(freq * exposure), severities ~ Gamma."""
    driver_age = rng.uniform(18, 85, n)
    vehicle_age = rng.integers(0, 20, n).astype(float)
    power = rng.integers(4, 15, n).astype(float)
    bonus_malus = np.clip(rng.normal(70, 20, n), 50, 150)
    log_density = rng.normal(6.0, 1.5, n)
    region = rng.integers(0, 6, n)
    exposure = rng.uniform(0.1, 1.0, n)

    young = np.exp(-(driver_age - 18) / 8.0)
    log_freq = (-1.6 + 1.5 * young + 0.02 * (bonus_malus - 70) + 0.3 * (log_density - 6)
                - 0.03 * vehicle_age + 0.3 * np.sin(region))
    counts = rng.poisson(np.exp(log_freq) * exposure)
    mean_sev = 1.5 * np.exp(0.06 * (power - 8) + 0.2 * (vehicle_age < 3))   # thousands of $
    amount = np.array([rng.gamma(2.0, m / 2.0, size=c).sum() for c, m in zip(counts, mean_sev)])

    feats = np.column_stack([
        (driver_age - 50) / 18, (vehicle_age - 10) / 6, (power - 9) / 3,
        (bonus_malus - 75) / 20, (log_density - 6) / 1.5, np.eye(6)[region],
    ]).astype(np.float32)
    pure_premium = (amount / exposure).astype(np.float32)
    return feats, pure_premium, exposure.astype(np.float32)


X, y, w = simulate_policies(12000)
X_tr, X_te, y_tr, y_te, w_tr, w_te = train_test_split(X, y, w, test_size=0.25, random_state=args.seed)
X_tr, y_tr, w_tr = map(torch.from_numpy, (X_tr, y_tr, w_tr))
X_te_t = torch.from_numpy(X_te)
print(f"{len(y_tr)} train policies, {100 * (y_tr == 0).float().mean():.1f}% without claims")


class TweedieNet(nn.Module):
    """Returns the log of the expected pure premium."""

    def __init__(self, d_in, hidden=64, init_mean=1.0):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.constant_(self.head.bias, float(np.log(init_mean)))

    def forward(self, x):
        return self.head(self.body(x))


def tweedie_loss(log_mu, y, weight, p):
    # unit deviance up to terms that do not depend on mu (log link)
    a = -y * torch.exp((1 - p) * log_mu) / (1 - p)
    b = torch.exp((2 - p) * log_mu) / (2 - p)
    return ((a + b) * weight).sum() / weight.sum()


model = TweedieNet(X_tr.shape[1], init_mean=float((y_tr * w_tr).sum() / w_tr.sum()))
opt = torch.optim.Adam(model.parameters(), lr=args.lr)


@torch.no_grad()
def evaluate():
    mu = model(X_te_t).exp().numpy().ravel()
    return mean_tweedie_deviance(y_te, mu, sample_weight=w_te, power=args.power)


const_dev = mean_tweedie_deviance(y_te, np.full_like(y_te, (y_tr * w_tr).sum().item() / w_tr.sum().item()),
                                  sample_weight=w_te, power=args.power)
print(f"constant-premium baseline test deviance {const_dev:.4f}")

t0 = time.process_time()
step = 0
n = len(y_tr)
for epoch in range(args.epochs):
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, args.batch_size):
        idx = perm[i:i + args.batch_size]
        loss = tweedie_loss(model(X_tr[idx]), y_tr[idx], w_tr[idx], args.power)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        step += 1
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1:2d}  step {step}  train loss {total / n:.4f}  test deviance {evaluate():.4f}")

print(f"final test Tweedie deviance (p={args.power}) {evaluate():.4f}  [{step} steps, cpu {time.process_time() - t0:.1f}s]")
