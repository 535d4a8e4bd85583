"""Nonlinear tabular regression (simulated, 16 features, 6 relevant) with a wide MLP;
configuration comes from environment-style string defaults in a dict and main()
returns the final metrics.

Seeded bug (overfitting): the split index is computed as
`n_val = int(len(X) * (1 - VAL_FRACTION))` and then used as if it were the validation
size, so the model trains on only 10% of the data (200 rows) and validates on 90%.
The 2x256 MLP memorises the 200 noisy rows.

Measured (50 epochs, 350 steps): buggy train MSE 0.83 -> 0.013 while val MSE reaches
its minimum 0.514 at epoch 20 and then climbs to 0.578 (train/val gap 0.56); fixed copy
(1800 training rows; 8 epochs, ~450 steps) train MSE 0.153, val MSE 0.247 and still
falling.
"""
# traindebug-expect: overfitting
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)

DEFAULTS = {
    "SEED": "13",
    "N_SAMPLES": "2000",
    "N_FEATURES": "16",
    "NOISE": "0.5",
    "VAL_FRACTION": "0.1",
    "HIDDEN": "256",
    "LR": "3e-3",
    "BATCH": "32",
    "EPOCHS": "50",
    "LOG_EVERY": "5",
}
CFG = {k: os.environ.get(k, v) for k, v in DEFAULTS.items()}


def get(key, cast=float):
    return cast(CFG[key])


def simulate(rng):
    n, d = get("N_SAMPLES", int), get("N_FEATURES", int)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (np.sin(1.5 * X[:, 0]) + 0.8 * X[:, 1] * X[:, 2] + 0.5 * X[:, 3] ** 2
         - 0.7 * np.abs(X[:, 4]) + 0.4 * X[:, 5])
    y = y + get("NOISE") * rng.standard_normal(n)
    return X, ((y - y.mean()) / y.std()).astype(np.float32)


def build_data():
    rng = np.random.default_rng(get("SEED", int))
    X, y = simulate(rng)
    n_val = int(len(X) * (1 - get("VAL_FRACTION")))
    X_tr, y_tr = X[n_val:], y[n_val:]
    X_va, y_va = X[:n_val], y[:n_val]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    norm = lambda a: torch.from_numpy((a - mu) / sd)
    return norm(X_tr), torch.from_numpy(y_tr), norm(X_va), torch.from_numpy(y_va)


def main():
    torch.manual_seed(get("SEED", int))
    X_tr, y_tr, X_va, y_va = build_data()
    h = get("HIDDEN", int)
    net = nn.Sequential(
        nn.Linear(X_tr.shape[1], h), nn.SiLU(),
        nn.Linear(h, h), nn.SiLU(),
        nn.Linear(h, 1),
    )
    opt = torch.optim.Adam(net.parameters(), lr=get("LR"))
    crit = nn.MSELoss()
    bs = get("BATCH", int)
    metrics = {}
    for epoch in range(1, get("EPOCHS", int) + 1):
        net.train()
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            loss = crit(net(X_tr[idx]).squeeze(-1), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            metrics = {
                "epoch": epoch,
                "train_mse": crit(net(X_tr).squeeze(-1), y_tr).item(),
                "val_mse": crit(net(X_va).squeeze(-1), y_va).item(),
            }
        if epoch % get("LOG_EVERY", int) == 0 or epoch == 1:
            print("  ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()))
    return metrics


if __name__ == "__main__":
    final = main()
    print("final", {k: round(v, 4) for k, v in final.items()})
