"""Hypernetwork on sklearn digits: learned per-layer embeddings z (dim 8) are mapped by
per-layer WeightGenerator modules to the weights and biases of a 3-layer target MLP, which is
applied functionally (F.linear). AdamW + cosine schedule.

Seeded bug (frozen_or_unoptimized): the model is built with the config default n_out=2 and the
optimizer is created from model.parameters(); only afterwards main() calls
model.set_num_outputs(10), which rebuilds the generator ModuleDict. The new generators (all
but the tiny z embeddings) receive gradients every step but are not in the optimizer, so they
never change: the target weights stay confined to fixed random 8-d subspaces.

Measured (seed 0, 264 steps): final train loss 2.24, test accuracy 0.211.
Fixed copy (set_num_outputs before building optimizer): train loss 0.0022, test accuracy 0.976.
"""
# traindebug-expect: frozen_or_unoptimized
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

CFG = dict(z_dim=8, hidden=32, n_out=2, lr=2e-3, wd=1e-4, batch=64, epochs=12, seed=0)


class WeightGenerator(nn.Module):
    """Maps a layer embedding z to the (weight, bias) of one target linear layer."""

    def __init__(self, z_dim, fan_in, fan_out):
        super().__init__()
        self.fan_in, self.fan_out = fan_in, fan_out
        self.net = nn.Linear(z_dim, fan_in * fan_out + fan_out)
        # scale so the generated weights start at roughly fan-in init
        nn.init.normal_(self.net.weight, std=1.0 / math.sqrt(z_dim * fan_in))
        nn.init.zeros_(self.net.bias)

    def forward(self, z):
        flat = self.net(z)
        W = flat[: self.fan_in * self.fan_out].view(self.fan_out, self.fan_in)
        b = flat[self.fan_in * self.fan_out:]
        return W, b


class HyperMLP(nn.Module):
    def __init__(self, d_in, hidden, n_out, z_dim):
        super().__init__()
        self.z_dim, self.hidden = z_dim, hidden
        self.z = nn.ParameterDict({
            "l1": nn.Parameter(torch.randn(z_dim)),
            "l2": nn.Parameter(torch.randn(z_dim)),
            "out": nn.Parameter(torch.randn(z_dim)),
        })
        self.shapes = {"l1": (d_in, hidden), "l2": (hidden, hidden), "out": (hidden, n_out)}
        self._build_generators()

    def _build_generators(self):
        self.gen = nn.ModuleDict({
            name: WeightGenerator(self.z_dim, fi, fo) for name, (fi, fo) in self.shapes.items()
        })

    def set_num_outputs(self, n_out):
        if self.shapes["out"][1] != n_out:
            self.shapes["out"] = (self.hidden, n_out)
            self._build_generators()

    def forward(self, x):
        h = x
        for name in ("l1", "l2"):
            W, b = self.gen[name](self.z[name])
            h = F.relu(F.linear(h, W, b))
        W, b = self.gen["out"](self.z["out"])
        return F.linear(h, W, b)


def batches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, bs):
        yield perm[i:i + bs]


def main(cfg=CFG):
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg["seed"], stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    model = HyperMLP(Xtr.shape[1], cfg["hidden"], cfg["n_out"], cfg["z_dim"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["wd"])
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg["epochs"])

    n_classes = int(ytr.max()) + 1
    model.set_num_outputs(n_classes)

    gen = torch.Generator().manual_seed(cfg["seed"])
    step = 0
    for epoch in range(cfg["epochs"]):
        model.train()
        losses = []
        for idx in batches(len(Xtr), cfg["batch"], gen):
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
        scheduler.step()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        if epoch % 3 == 0 or epoch == cfg["epochs"] - 1:
            print(f"epoch {epoch:2d} step {step} loss {np.mean(losses):.4f} test_acc {acc:.3f}")
    print(f"final test_acc {acc:.3f}")


if __name__ == "__main__":
    main()
