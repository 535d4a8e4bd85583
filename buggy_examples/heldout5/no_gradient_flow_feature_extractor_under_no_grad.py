"""Seeded bug: the 1-D CNN backbone is called through a helper `extract_features` that
wraps the call in torch.no_grad() (it was written for cached evaluation features and
reused in the training loop). The conv layers' parameters are trainable and handed to
the optimizer, but they never receive a gradient; only the linear head learns.

Measured (this script, seed 0): final train loss 1.29, val acc 0.52 (noisy 0.3-0.68).
Without the no_grad wrapper in training: train loss 0.017, val acc 1.00.
"""
# traindebug-expect: no_gradient_flow
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    n_train: int = 1024
    n_val: int = 256
    length: int = 64
    n_classes: int = 4
    channels: int = 8
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    epochs: int = 10
    seed: int = 0


def make_signals(n, length, n_classes, gen):
    t = torch.linspace(0, 1, length)
    y = torch.randint(0, n_classes, (n,), generator=gen)
    freq = 3.0 + 4.0 * y.float()
    phase = torch.rand(n, generator=gen) * 6.28
    x = torch.sin(2 * 3.14159 * freq[:, None] * t[None, :] + phase[:, None])
    x = x + 0.8 * torch.randn(n, length, generator=gen)
    return x.unsqueeze(1), y


class Backbone(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv1d(1, ch, 7, padding=3)
        self.conv2 = nn.Conv1d(ch, ch, 5, padding=2)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool1d(x, 2)
        x = F.relu(self.conv2(x))
        return x.mean(dim=-1)


def extract_features(backbone, x):
    with torch.no_grad():
        return backbone(x)


def main(cfg: Config):
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    Xtr, ytr = make_signals(cfg.n_train, cfg.length, cfg.n_classes, gen)
    Xva, yva = make_signals(cfg.n_val, cfg.length, cfg.n_classes, gen)

    backbone = Backbone(cfg.channels)
    head = nn.Linear(cfg.channels, cfg.n_classes)
    params = list(backbone.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum)

    for epoch in range(cfg.epochs):
        perm = torch.randperm(cfg.n_train)
        total = 0.0
        for i in range(0, cfg.n_train, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            feats = extract_features(backbone, Xtr[idx])
            loss = F.cross_entropy(head(feats), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        with torch.no_grad():
            val_acc = (head(extract_features(backbone, Xva)).argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch} train loss {total / cfg.n_train:.4f} val acc {val_acc:.3f}")


if __name__ == "__main__":
    main(Config())
