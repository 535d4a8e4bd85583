"""Healthy control: wine classification with a residual MLP, label smoothing 0.15, Adam with
CosineAnnealingWarmRestarts stepped per batch.

Legitimate patterns that could fool a naive detector: the manual per-class split leaves
the training set sorted by label ([0,...,0,1,...,1,2,...,2]) but the DataLoader shuffles
it, so the batches are mixed; label smoothing keeps the training loss at a floor of about
0.39 (the entropy of the smoothed targets) instead of going to zero.

Measured (30 epochs, 270 steps): train loss 0.887 -> 0.397 (at the smoothing floor),
test CE 0.140, test accuracy 0.978.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from torch.utils.data import DataLoader, TensorDataset

SEED = 99
TRAIN_FRACTION = 0.75


def per_class_split(X, y, frac, rng):
    """Manual stratified split: take `frac` of every class for training."""
    tr_idx, te_idx = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = rng.permutation(idx)
        k = int(round(frac * len(idx)))
        tr_idx.append(idx[:k])
        te_idx.append(idx[k:])
    tr_idx, te_idx = np.concatenate(tr_idx), np.concatenate(te_idx)
    return X[tr_idx], y[tr_idx], X[te_idx], y[te_idx]


class ResidualMLP(nn.Module):
    def __init__(self, d_in, width, n_classes, n_blocks=2):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
            for _ in range(n_blocks)
        )
        self.head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, n_classes))

    def forward(self, x):
        h = self.inp(x)
        for blk in self.blocks:
            h = h + blk(h)
        return self.head(h)


def main():
    rng = np.random.default_rng(SEED)
    torch.manual_seed(SEED)
    wine = load_wine()
    X, y = wine.data.astype(np.float32), wine.target
    X_tr, y_tr, X_te, y_te = per_class_split(X, y, TRAIN_FRACTION, rng)
    mean, std = X_tr.mean(0), X_tr.std(0)
    X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
    print("train label order (first/last 5):", y_tr[:5].tolist(), y_tr[-5:].tolist())

    train_ds = TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr))
    loader = DataLoader(train_ds, batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(SEED))
    x_te, y_te_t = torch.from_numpy(X_te), torch.from_numpy(y_te)

    model = ResidualMLP(X.shape[1], 48, 3)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.15)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=10)

    for epoch in range(30):
        model.train()
        losses = []
        for i, (xb, yb) in enumerate(loader):
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step(epoch + i / len(loader))
            losses.append(loss.item())
        if epoch == 0 or (epoch + 1) % 5 == 0:
            model.eval()
            with torch.no_grad():
                logits = model(x_te)
                te_loss = nn.functional.cross_entropy(logits, y_te_t).item()
                acc = (logits.argmax(1) == y_te_t).float().mean().item()
            print(f"epoch {epoch + 1:2d}  train_loss(smoothed) {np.mean(losses):.4f}  "
                  f"test_ce {te_loss:.4f}  test_acc {acc:.3f}")


if __name__ == "__main__":
    main()
