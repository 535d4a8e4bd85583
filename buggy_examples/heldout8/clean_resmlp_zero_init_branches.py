"""Healthy control. Residual MLP (pre-LayerNorm blocks) on sklearn digits;
dataclass config, NAdam, MultiStepLR, label smoothing.

Patterns that might fool a naive detector: the second Linear of every
residual branch (fc2) and the classifier head are initialised to exactly zero
(weights and biases), so those weight matrices have identical (all-zero) rows
at init, the initial loss is exactly ln 10 = 2.3026, and the very first step
only the head gets a gradient. This is the standard "zero-init residual /
identity at init" trick: symmetry is broken by the randomly initialised stem
and fc1 layers and training proceeds normally. The training loss also levels
off at ~0.283, which is the floor set by label_smoothing=0.05, not a
loss/output mismatch.

Measured (280 steps): loss 2.3026 at step 0 -> 0.2832 (floor 0.2824), test
acc 0.822 after epoch 1 and 0.978 at the end.
"""
# traindebug-expect: clean
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class Config:
    width: int = 128
    n_blocks: int = 3
    expansion: int = 2
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 96
    epochs: int = 20
    label_smoothing: float = 0.05
    seed: int = 21
    milestones: list = field(default_factory=lambda: [12, 17])


class ResidualBlock(nn.Module):
    def __init__(self, width, expansion):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width * expansion)
        self.fc2 = nn.Linear(width * expansion, width)
        # each block starts as the identity map
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(self.norm(x))))


class ResMLP(nn.Module):
    def __init__(self, d_in, n_classes, cfg):
        super().__init__()
        self.stem = nn.Linear(d_in, cfg.width)
        self.blocks = nn.ModuleList(ResidualBlock(cfg.width, cfg.expansion) for _ in range(cfg.n_blocks))
        self.norm = nn.LayerNorm(cfg.width)
        self.head = nn.Linear(cfg.width, n_classes)
        # uniform predictive distribution at step 0
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        h = self.stem(x)
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.norm(h))


def batches(X, y, bs, gen):
    idx = torch.randperm(len(X), generator=gen)
    for i in range(0, len(X), bs):
        j = idx[i:i + bs]
        yield X[j], y[j]


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(cfg.seed)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0 - 0.5
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=cfg.seed, stratify=y)
    Xtr, Xte = (torch.tensor(a, dtype=torch.float32) for a in (Xtr, Xte))
    ytr, yte = (torch.tensor(a) for a in (ytr, yte))

    model = ResMLP(Xtr.shape[1], 10, cfg)
    opt = torch.optim.NAdam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=cfg.milestones, gamma=0.3)

    steps = 0
    for ep in range(cfg.epochs):
        model.train()
        losses = []
        for xb, yb in batches(Xtr, ytr, cfg.batch_size, gen):
            loss = F.cross_entropy(model(xb), yb, label_smoothing=cfg.label_smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            steps += 1
        sched.step()
        if ep == 0 or (ep + 1) % 5 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {ep + 1:2d}  first_batch_loss {losses[0]:.4f}  mean_loss {np.mean(losses):.4f}  test_acc {acc:.3f}")
    print(f"steps {steps}")


if __name__ == "__main__":
    main()
