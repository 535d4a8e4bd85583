"""Seeded bug: a class-based trainer that never calls optimizer.zero_grad(); every
backward adds to the sum of all earlier gradients."""
# traindebug-expect: missing_zero_grad
from dataclasses import dataclass

import torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch import nn


@dataclass
class Config:
    lr: float = 1e-2
    epochs: int = 20
    batch_size: int = 32


class Trainer:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=cfg.lr)
        self.loss_fn = nn.BCEWithLogitsLoss()

    def train_step(self, xb: torch.Tensor, yb: torch.Tensor) -> float:
        loss = self.loss_fn(self.model(xb).squeeze(1), yb)
        loss.backward()  # BUG: no self.opt.zero_grad() anywhere
        self.opt.step()
        return loss.item()

    def fit(self, X: torch.Tensor, y: torch.Tensor) -> None:
        for epoch in range(self.cfg.epochs):
            perm = torch.randperm(len(X))
            for i in range(0, len(X), self.cfg.batch_size):
                b = perm[i : i + self.cfg.batch_size]
                last = self.train_step(X[b], y[b])
            print(f"epoch {epoch}: {last:.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    Trainer(Config()).fit(X, torch.tensor(y, dtype=torch.float32))
