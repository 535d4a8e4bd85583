"""Seeded bug: a dataclass-configured training run (Hydra-style config
object with overrides) for a 3-class wine classifier where the override
string sets weight_decay=0.5 ("5e-1" typed for "5e-4") for plain Adam (L2
added to the gradient). The decay term dominates the gradient, the weights
shrink towards zero and the training loss stalls at ~1.1 vs ~0.00 with
weight_decay=5e-4 (measured)."""
# traindebug-expect: over_regularization
from dataclasses import dataclass, field, replace

import torch
from sklearn.datasets import load_wine
from torch import nn


@dataclass
class OptimConfig:
    name: str = "adam"
    lr: float = 3e-3
    weight_decay: float = 5e-4


@dataclass
class ModelConfig:
    hidden: tuple = (64, 64)
    dropout: float = 0.1


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    batch_size: int = 32
    epochs: int = 60
    seed: int = 0


def apply_overrides(cfg: TrainConfig, overrides: list[str]) -> TrainConfig:
    for item in overrides:
        key, value = item.split("=")
        group, name = key.split(".")
        sub = getattr(cfg, group)
        setattr(cfg, group, replace(sub, **{name: type(getattr(sub, name))(float(value))}))
    return cfg


def build_model(cfg: ModelConfig, d_in: int, d_out: int) -> nn.Module:
    layers, prev = [], d_in
    for h in cfg.hidden:
        layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(cfg.dropout)]
        prev = h
    return nn.Sequential(*layers, nn.Linear(prev, d_out))


def train(cfg: TrainConfig):
    torch.manual_seed(cfg.seed)
    X, y = load_wine(return_X_y=True)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor(y)
    model = build_model(cfg.model, 13, 3)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)
    for epoch in range(cfg.epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), cfg.batch_size):
            b = perm[i : i + cfg.batch_size]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(X[b]), y[b])
            loss.backward()
            opt.step()
        if epoch % 10 == 0:
            print(epoch, round(loss.item(), 3))


if __name__ == "__main__":
    train(apply_overrides(TrainConfig(), ["optim.weight_decay=5e-1"]))  # BUG: meant 5e-4
