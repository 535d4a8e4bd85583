"""Claim-frequency (Poisson, log-link with exposure offset) regression on simulated policies.

Seeded bug (loss_output_mismatch): FrequencyNet.forward already returns the rate
mu = exp(eta), but the loss is nn.PoissonNLLLoss() with its default log_input=True,
which treats the input as log(mu) and computes exp(input) - y*input. The loss is
minimised at the wrong place (predicted means collapse towards zero).
Measured (304 steps): val Poisson deviance 2.283 (worse than the 0.678 intercept-only
model), mean predicted count 0.001 vs observed 0.196. Fixed copy
(PoissonNLLLoss(log_input=False)): val deviance 0.637, mean prediction 0.184.
"""
# traindebug-expect: loss_output_mismatch
import argparse

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def get_args():
    p = argparse.ArgumentParser(description="Claim-count model with exposure offset")
    p.add_argument("--n-policies", type=int, default=6000)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--seed", type=int, default=3)
    return p.parse_args()


def simulate_portfolio(n, rng):
    """Tabular policy data: driver age, vehicle power, region, bonus-malus; exposure in years."""
    age = rng.uniform(18, 85, n)
    power = rng.integers(4, 15, n).astype(float)
    region = rng.integers(0, 6, n)
    bonus = rng.uniform(50, 150, n)
    exposure = rng.uniform(0.1, 1.0, n)
    region_eff = np.array([-0.3, 0.0, 0.2, 0.5, -0.1, 0.8])[region]
    log_rate = (-1.6 + 0.9 * np.exp(-(age - 18) / 12) + 0.06 * (power - 8)
                + region_eff + 0.012 * (bonus - 100))
    counts = rng.poisson(np.exp(log_rate) * exposure)
    num = np.stack([(age - 50) / 19, (power - 9) / 3.2, (bonus - 100) / 29], 1)
    onehot = np.eye(6)[region]
    x = np.concatenate([num, onehot], 1).astype(np.float32)
    return x, np.log(exposure).astype(np.float32), counts.astype(np.float32)


class FrequencyNet(nn.Module):
    """GLM-style network: log(mu) = f(x) + log(exposure)."""

    def __init__(self, d_in, hidden):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.Tanh(),
                                  nn.Linear(hidden, hidden), nn.Tanh(),
                                  nn.Linear(hidden, 1))

    def forward(self, x, log_exposure):
        eta = self.body(x).squeeze(-1) + log_exposure
        return torch.exp(eta)  # expected claim count


def poisson_deviance(mu, y):
    mu = mu.clamp_min(1e-8)
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return (2 * (term - (y - mu))).mean().item()


def main():
    args = get_args()
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    x, loge, y = simulate_portfolio(args.n_policies, rng)
    perm = rng.permutation(len(y))
    n_tr = int(0.8 * len(y))
    tr, te = perm[:n_tr], perm[n_tr:]
    xt, lt, yt = map(torch.from_numpy, (x[tr], loge[tr], y[tr]))
    xv, lv, yv = map(torch.from_numpy, (x[te], loge[te], y[te]))

    model = FrequencyNet(x.shape[1], args.hidden)
    criterion = nn.PoissonNLLLoss()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    base_mu = torch.full_like(yv, yt.sum().item() / torch.exp(lt).sum().item()) * torch.exp(lv)
    print(f"null-model val deviance {poisson_deviance(base_mu, yv):.4f}")

    steps = 0
    for epoch in range(args.epochs):
        order = torch.randperm(n_tr)
        tot = 0.0
        for i in range(0, n_tr, args.batch_size):
            b = order[i:i + args.batch_size]
            mu = model(xt[b], lt[b])
            loss = criterion(mu, yt[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(b)
            steps += 1
        with torch.no_grad():
            mu_v = model(xv, lv)
        print(f"epoch {epoch} steps {steps} train_nll {tot / n_tr:.4f} "
              f"val_deviance {poisson_deviance(mu_v, yv):.4f} "
              f"mean_pred {mu_v.mean().item():.3f} mean_obs {yv.mean().item():.3f}")


if __name__ == "__main__":
    main()
