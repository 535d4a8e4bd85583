"""Seeded bug: the MLP factory picks its nonlinearity with ``if act == "relu"`` but the
config spells it "ReLU"; the fallback branch silently uses nn.Identity, so the 4-layer
network collapses to a single affine map. On the 3-arm spiral a linear classifier cannot
get far beyond chance, and the loss plateaus although gradients/updates look healthy.
Measured (seed 0, 300 steps): buggy final train loss 1.022, train acc 0.352 (chance 0.333);
fixed (case-insensitive match -> ReLU) final train loss 0.016, train acc 0.998.
"""
# traindebug-expect: underfitting
import math
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)

CONFIG = {
    "hidden": [64, 64, 64],
    "act": "ReLU",
    "lr": 3e-3,
    "weight_decay": 1e-4,
    "batch_size": 50,
    "epochs": 10,
    "seed": 0,
}


class SpiralDataset(Dataset):
    def __init__(self, n_per_class=500, n_arms=3, noise=0.15, seed=0):
        g = np.random.default_rng(seed)
        xs, ys = [], []
        for k in range(n_arms):
            r = np.linspace(0.05, 1.0, n_per_class)
            theta = np.linspace(k * 2 * math.pi / n_arms, k * 2 * math.pi / n_arms + 6.0, n_per_class)
            theta = theta + g.normal(0, noise, n_per_class)
            xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], 1))
            ys.append(np.full(n_per_class, k))
        self.x = torch.tensor(np.concatenate(xs) * 2.0, dtype=torch.float32)
        self.y = torch.tensor(np.concatenate(ys), dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def make_mlp(d_in, hidden, d_out, act):
    layers, d = [], d_in
    for h in hidden:
        layers.append(nn.Linear(d, h))
        if act == "relu":
            layers.append(nn.ReLU())
        elif act == "tanh":
            layers.append(nn.Tanh())
        else:
            layers.append(nn.Identity())
        d = h
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


class Trainer:
    def __init__(self, model, cfg):
        self.model = model
        self.cfg = cfg
        self.opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
        self.crit = nn.CrossEntropyLoss()
        self.history = []

    def train_epoch(self, loader):
        self.model.train()
        tot, n = 0.0, 0
        for xb, yb in loader:
            loss = self.crit(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            tot += loss.item() * len(yb)
            n += len(yb)
        self.history.append(tot / n)
        return tot / n

    @torch.no_grad()
    def evaluate(self, ds):
        self.model.eval()
        logits = self.model(ds.x)
        return self.crit(logits, ds.y).item(), (logits.argmax(1) == ds.y).float().mean().item()

    def fit(self, ds):
        loader = DataLoader(ds, batch_size=self.cfg["batch_size"], shuffle=True)
        for ep in range(self.cfg["epochs"]):
            loss = self.train_epoch(loader)
            if ep % 3 == 0 or ep == self.cfg["epochs"] - 1:
                print(f"epoch {ep + 1:2d}  loss {loss:.4f}")


torch.manual_seed(CONFIG["seed"])
ds = SpiralDataset(seed=CONFIG["seed"])
model = make_mlp(2, CONFIG["hidden"], 3, CONFIG["act"])
trainer = Trainer(model, CONFIG)
trainer.fit(ds)
loss, acc = trainer.evaluate(ds)
print(f"final train loss {loss:.4f}  train acc {acc:.3f}")
