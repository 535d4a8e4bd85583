"""
Set Transformer (linear embed -> 2 self-attention blocks (SAB, post-LN) -> PMA attention pooling
with one learned seed -> linear head) classifying generated 3-D point clouds (sphere, cube,
cylinder, cone, torus surfaces; 32 points each, random rotation/scale/jitter). Adam, batch 32,
8 epochs (160 optimizer steps), dataclass config, manual batching over index permutations.

Seeded bug: the config's learning rate (0.1) was carried over from the PointNet/SGD-momentum
recipe the author used before, but the optimizer is Adam. Adam's per-step move is ~lr for every
parameter regardless of gradient scale, so 0.1 is ~100x the usual attention-model rate: the
attention logits and LayerNorm gains are thrown around every step, the loss spikes to several
times ln(5) and the model ends near chance.

Measured (seed 0, 1 thread): buggy (lr 0.1): final train loss 1.628, test acc 0.160 (chance 0.2).
Fixed copy (lr 2e-3): final train loss 0.662, test acc 0.660 (still improving).
"""
# traindebug-expect: lr_too_high
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Config:
    n_points: int = 32
    n_train: int = 640
    n_test: int = 300
    dim: int = 32
    heads: int = 4
    batch_size: int = 32
    epochs: int = 8
    lr: float = 0.1
    weight_decay: float = 0.0


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    return q * np.sign(np.diag(r))


def sample_shape(label, n, rng):
    if label == 0:  # sphere
        p = rng.normal(size=(n, 3))
        p /= np.linalg.norm(p, axis=1, keepdims=True)
    elif label == 1:  # cube surface
        p = rng.uniform(-1, 1, size=(n, 3))
        ax = rng.integers(0, 3, size=n)
        p[np.arange(n), ax] = rng.choice([-1.0, 1.0], size=n)
    elif label == 2:  # cylinder
        t = rng.uniform(0, 2 * np.pi, n)
        p = np.stack([np.cos(t), np.sin(t), rng.uniform(-1, 1, n)], 1)
    elif label == 3:  # cone
        t = rng.uniform(0, 2 * np.pi, n)
        h = rng.uniform(0, 1, n)
        p = np.stack([(1 - h) * np.cos(t), (1 - h) * np.sin(t), 2 * h - 1], 1)
    else:  # torus
        u, v = rng.uniform(0, 2 * np.pi, (2, n))
        p = np.stack([(1 + 0.4 * np.cos(v)) * np.cos(u), (1 + 0.4 * np.cos(v)) * np.sin(u), 0.4 * np.sin(v)], 1)
    p = p @ random_rotation(rng).T * rng.uniform(0.7, 1.3)
    return p + 0.02 * rng.normal(size=p.shape)


def make_split(n, n_points, rng):
    y = rng.integers(0, 5, size=n)
    x = np.stack([sample_shape(int(c), n_points, rng) for c in y])
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


class SAB(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln1 = nn.LayerNorm(dim)
        self.ln2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        x = self.ln1(x + self.attn(x, x, x, need_weights=False)[0])
        return self.ln2(x + self.ff(x))


class PMA(nn.Module):
    def __init__(self, dim, heads, n_seeds=1):
        super().__init__()
        self.seeds = nn.Parameter(torch.randn(1, n_seeds, dim) / math.sqrt(dim))
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln = nn.LayerNorm(dim)

    def forward(self, x):
        s = self.seeds.expand(x.shape[0], -1, -1)
        return self.ln(s + self.attn(s, x, x, need_weights=False)[0])


class SetTransformer(nn.Module):
    def __init__(self, cfg, n_classes=5):
        super().__init__()
        self.embed = nn.Linear(3, cfg.dim)
        self.blocks = nn.Sequential(SAB(cfg.dim, cfg.heads), SAB(cfg.dim, cfg.heads))
        self.pool = PMA(cfg.dim, cfg.heads)
        self.head = nn.Linear(cfg.dim, n_classes)

    def forward(self, pts):
        h = self.blocks(self.embed(pts))
        return self.head(self.pool(h).squeeze(1))


def main():
    cfg = Config()
    rng = np.random.default_rng(0)
    xtr, ytr = make_split(cfg.n_train, cfg.n_points, rng)
    xte, yte = make_split(cfg.n_test, cfg.n_points, rng)

    model = SetTransformer(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(cfg.n_train)
        tot, nb = 0.0, 0
        for i in range(0, cfg.n_train, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
            nb += 1
            step += 1
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch} step {step} train loss {tot / nb:.4f} test acc {acc:.3f}")
    print(f"final train loss {tot / nb:.4f} test acc {acc:.3f}")


if __name__ == "__main__":
    main()
