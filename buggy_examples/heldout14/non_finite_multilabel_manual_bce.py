"""Seeded bug (non_finite): hand-written BCE on Sigmoid outputs, log(p) and log(1-p) without clamping;
once a confidently-predicted label saturates the sigmoid to exactly 1.0 in float32, log(0) -> -inf and
the loss/gradients become NaN. Measured: train BCE NaN from epoch 9, val label acc stuck at 0.736;
fixed (clamp_min(1e-7)): final train BCE 0.238, val label acc 0.793.
"""
# traindebug-expect: non_finite
from dataclasses import dataclass

import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification


@dataclass
class Cfg:
    n_samples: int = 1200
    n_features: int = 20
    n_labels: int = 8
    hidden: int = 64
    lr: float = 3e-2
    batch: int = 64
    epochs: int = 12
    seed: int = 0


def bce(probs, target):
    # plain binary cross-entropy, averaged over labels and batch
    return -(target * torch.log(probs) + (1 - target) * torch.log(1 - probs)).mean()


def main(cfg=Cfg()):
    torch.manual_seed(cfg.seed)
    X, Y = make_multilabel_classification(n_samples=cfg.n_samples, n_features=cfg.n_features,
                                          n_classes=cfg.n_labels, n_labels=2, random_state=cfg.seed)
    X = torch.tensor(X, dtype=torch.float32)
    X = (X - X.mean(0)) / X.std(0)
    Y = torch.tensor(Y, dtype=torch.float32)
    Xtr, Ytr, Xva, Yva = X[:1000], Y[:1000], X[1000:], Y[1000:]

    net = nn.Sequential(nn.Linear(cfg.n_features, cfg.hidden), nn.ReLU(),
                        nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(),
                        nn.Linear(cfg.hidden, cfg.n_labels), nn.Sigmoid())
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    for ep in range(cfg.epochs):
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(Xtr), cfg.batch):
            idx = perm[i:i + cfg.batch]
            loss = bce(net(Xtr[idx]), Ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        with torch.no_grad():
            pv = net(Xva)
            acc = ((pv > 0.5).float() == Yva).float().mean().item()
        print(f"epoch {ep + 1:2d} train_bce {sum(losses) / len(losses):.4f} val_label_acc {acc:.3f}")


if __name__ == "__main__":
    main()
