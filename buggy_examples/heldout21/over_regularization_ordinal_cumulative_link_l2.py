"""Ordinal regression (5 ordered grades of a generated nonlinear latent severity)
with a cumulative-link / proportional-odds model: an ELU MLP gives a scalar
score, K-1 ordered thresholds are parametrised by softplus gaps, and the
negative log-likelihood is written by hand as K-1 binary cross-entropies.
Adam, explicit L2 penalty on the weight matrices, 300 steps.

Seeded bug (over_regularization): the explicit penalty uses l2=5e-2 on the
*sum* of squared weights of all layers (added to a per-sample mean NLL), so the
penalty gradient dominates the data gradient: the total weight norm is driven
from ~7 at init to 2.8 after 60 steps and 2.0 at the end while the NLL barely
moves.

Measured (seed 8): train NLL 1.713 (step 60) -> 1.610 (step 300), test NLL
1.620, test MAE 0.722 grades, exact-grade acc 0.420, weight norm 1.99.
Fixed copy (l2=1e-4): train NLL 1.672 -> 1.190, test NLL 1.255, test MAE
0.546, exact acc 0.534, weight norm 8.48 (no penalty at all gives the same).
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

CONFIG = {
    "n_train": 1500, "n_test": 500, "n_features": 12, "n_levels": 5,
    "hidden": 64, "lr": 3e-3, "l2": 5e-2, "epochs": 10, "batch_size": 50, "seed": 8,
}


def make_ordinal_data(n, d, k, rng):
    """Latent severity = nonlinear function of covariates + noise, cut into k ordered grades."""
    x = rng.standard_normal((n, d)).astype(np.float32)
    latent = (1.2 * x[:, 0] + np.sin(2.0 * x[:, 1]) + 0.8 * x[:, 2] * x[:, 3]
              - 0.6 * np.abs(x[:, 4]) + 0.5 * x[:, 5] + 0.3 * rng.standard_normal(n))
    cuts = np.quantile(latent, np.linspace(0, 1, k + 1)[1:-1])
    return x, np.digitize(latent, cuts).astype(np.int64)


class CumulativeLinkNet(nn.Module):
    """Scalar risk score + K-1 ordered thresholds: P(y > j | x) = sigmoid(f(x) - theta_j)."""

    def __init__(self, d_in, hidden, n_levels):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(d_in, hidden), nn.ELU(), nn.Linear(hidden, hidden), nn.ELU(),
                                   nn.Linear(hidden, 1))
        self.theta0 = nn.Parameter(torch.tensor(-1.0))
        self.log_gaps = nn.Parameter(torch.zeros(n_levels - 2))

    def thresholds(self):
        gaps = F.softplus(self.log_gaps)
        return torch.cat([self.theta0.view(1), self.theta0 + torch.cumsum(gaps, 0)])

    def forward(self, x):
        return self.score(x) - self.thresholds()  # (B, K-1) cumulative logits


def cumulative_link_nll(logits, y):
    k1 = logits.shape[1]
    targets = (y[:, None] > torch.arange(k1)[None, :]).float()
    return F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / len(y)


def predict_level(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


def main(cfg):
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    x, y = make_ordinal_data(cfg["n_train"] + cfg["n_test"], cfg["n_features"], cfg["n_levels"], rng)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    x_tr, y_tr, x_te, y_te = x[:cfg["n_train"]], y[:cfg["n_train"]], x[cfg["n_train"]:], y[cfg["n_train"]:]

    model = CumulativeLinkNet(cfg["n_features"], cfg["hidden"], cfg["n_levels"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]

    step = 0
    for epoch in range(cfg["epochs"]):
        perm = torch.randperm(cfg["n_train"])
        run_nll = 0.0
        for i in range(0, cfg["n_train"], cfg["batch_size"]):
            b = perm[i:i + cfg["batch_size"]]
            nll = cumulative_link_nll(model(x_tr[b]), y_tr[b])
            penalty = cfg["l2"] * sum(w.pow(2).sum() for w in weights)
            loss = nll + penalty
            opt.zero_grad()
            loss.backward()
            opt.step()
            run_nll += nll.item() * len(b)
            step += 1
        if epoch % 2 == 1:
            with torch.no_grad():
                lt = model(x_te)
                te_nll = cumulative_link_nll(lt, y_te).item()
                mae = (predict_level(lt) - y_te).abs().float().mean().item()
                exact = (predict_level(lt) == y_te).float().mean().item()
                wn = torch.sqrt(sum(w.pow(2).sum() for w in weights)).item()
            print(f"epoch {epoch} step {step} train_nll {run_nll / cfg['n_train']:.3f} penalty {penalty.item():.3f} "
                  f"test_nll {te_nll:.3f} test_mae {mae:.3f} test_exact {exact:.3f} weight_norm {wn:.2f}")


if __name__ == "__main__":
    main(CONFIG)
