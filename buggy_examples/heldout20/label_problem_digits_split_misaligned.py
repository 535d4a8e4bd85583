"""Seeded bug: the train/validation split indexes the features with a shuffled
permutation but takes the labels with the un-permuted slice
(``y_tr = y[:n_train]`` instead of ``y[idx[:n_train]]``), so training labels are
no longer aligned with their images.

Measured effect (buggy vs fixed copy): final train loss 2.22 vs 0.11,
validation accuracy 0.05 vs 0.96.
"""
# traindebug-expect: label_problem
import torch
import torch.nn as nn
from dataclasses import dataclass
from sklearn.datasets import load_digits

torch.set_num_threads(1)


@dataclass
class Config:
    hidden: int = 128
    lr: float = 1e-3
    batch_size: int = 64
    epochs: int = 12
    val_frac: float = 0.2
    seed: int = 0


def make_splits(cfg):
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    g = torch.Generator().manual_seed(cfg.seed)
    idx = torch.randperm(len(X), generator=g)
    n_train = int(len(X) * (1 - cfg.val_frac))
    X_tr, y_tr = X[idx[:n_train]], y[:n_train]
    X_va, y_va = X[idx[n_train:]], y[idx[n_train:]]
    return X_tr, y_tr, X_va, y_va


def build_model(cfg):
    return nn.Sequential(
        nn.Linear(64, cfg.hidden), nn.ReLU(),
        nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(),
        nn.Linear(cfg.hidden, 10),
    )


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    X_tr, y_tr, X_va, y_va = make_splits(cfg)
    model = build_model(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = nn.CrossEntropyLoss()
    n = len(X_tr)
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, cfg.batch_size):
            b = perm[i:i + cfg.batch_size]
            loss = loss_fn(model(X_tr[b]), y_tr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        model.eval()
        with torch.no_grad():
            acc = (model(X_va).argmax(1) == y_va).float().mean().item()
        if epoch % 3 == 2 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch+1:2d} train_loss {total/n:.4f} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
