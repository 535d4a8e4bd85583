"""Seeded bug: tabular features in raw physical units (some in the thousands,
with large offsets, next to features of order 1) go straight into an MLP;
the config dict has a `standardize` switch that is left off."""
# traindebug-expect: input_scale
import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

CONFIG = {"seed": 0, "epochs": 12, "batch_size": 128, "lr": 1e-3, "standardize": False}  # BUG: off


def load_data(cfg):
    X, y = make_classification(n_samples=4000, n_features=12, n_informative=6, random_state=cfg["seed"])
    units = np.array([1, 1, 1, 1, 1000, 1000, 50, 50, 1, 1, 3000, 1])
    offsets = np.array([0, 0, 0, 0, 20000, 5000, 300, 0, 0, 0, 0, 0])
    X = X * units + offsets  # e.g. income, altitude, temperature in K
    if cfg["standardize"]:
        X = (X - X.mean(0)) / X.std(0)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


def main(cfg):
    torch.manual_seed(cfg["seed"])
    X, y = load_data(cfg)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    for epoch in range(cfg["epochs"]):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), cfg["batch_size"]):
            idx = perm[i : i + cfg["batch_size"]]
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(epoch, loss.item())


if __name__ == "__main__":
    main(CONFIG)
