"""Tabular 3-class classifier (sklearn make_classification) whose first layer is
a learnable per-feature standardisation y = (x - loc) * exp(-log_scale),
implemented as a custom torch.autograd.Function and initialised from the
training statistics; the scaling parameters get their own (higher) Adam lr.

Seeded bug (wrong_gradient): in _LearnableStandardize.backward the gradient
for log_scale is written as (grad_out * y).sum(0). Since
dy/dlog_scale = -(x - loc) * exp(-log_scale) = -y, the correct expression is
-(grad_out * y).sum(0); the missing minus sign makes Adam do gradient ascent on
the scaling parameters (grad_x and grad_loc are correct).

Measured (seed 0, 12 epochs, 288 steps): buggy run reaches test acc 0.673 at
epoch 2, then collapses (train loss 0.656 -> 1.098, final test acc 0.353,
mean |log_scale| drift 2.88); with the sign fixed: train loss 0.196, test acc
0.911, drift 0.61.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class _LearnableStandardize(torch.autograd.Function):
    """y = (x - loc) * exp(-log_scale), per feature."""

    @staticmethod
    def forward(ctx, x, loc, log_scale):
        inv = torch.exp(-log_scale)
        y = (x - loc) * inv
        ctx.save_for_backward(y, inv)
        return y

    @staticmethod
    def backward(ctx, grad_out):
        y, inv = ctx.saved_tensors
        grad_x = grad_out * inv
        grad_loc = -(grad_out * inv).sum(0)
        grad_log_scale = (grad_out * y).sum(0)
        return grad_x, grad_loc, grad_log_scale


class LearnableStandardize(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(n_features))
        self.log_scale = nn.Parameter(torch.zeros(n_features))

    @torch.no_grad()
    def fit_(self, x):
        self.loc.copy_(x.mean(0))
        self.log_scale.copy_(x.std(0).clamp_min(1e-3).log())

    def forward(self, x):
        return _LearnableStandardize.apply(x, self.loc, self.log_scale)


class TabularNet(nn.Module):
    def __init__(self, n_features, n_classes, hidden=64, dropout=0.1):
        super().__init__()
        self.scale = LearnableStandardize(n_features)
        self.mlp = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.mlp(self.scale(x))


def batches(x, y, bs, rng):
    idx = rng.permutation(len(x))
    for i in range(0, len(idx), bs):
        j = idx[i:i + bs]
        yield x[j], y[j]


def main():
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=8, n_redundant=4,
                               n_classes=3, n_clusters_per_class=2, class_sep=1.2, flip_y=0.02,
                               random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X.astype(np.float32), y, test_size=0.25, random_state=0)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
    y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

    model = TabularNet(X.shape[1], 3)
    model.scale.fit_(X_tr)
    opt = torch.optim.Adam([
        {"params": model.scale.parameters(), "lr": 2e-2},
        {"params": model.mlp.parameters(), "lr": 3e-3},
    ])
    rng = np.random.RandomState(1)
    step = 0
    for epoch in range(12):
        model.train()
        tot = 0.0
        for xb, yb in batches(X_tr, y_tr, 96, rng):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
            step += 1
        model.eval()
        with torch.no_grad():
            te_loss = F.cross_entropy(model(X_te), y_te).item()
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        if epoch % 3 == 2:
            print(f"epoch {epoch:2d}  train loss {tot / len(X_tr):.3f}  test loss {te_loss:.3f}  test acc {acc:.3f}")
    print(f"{step} steps; final test acc {acc:.3f}; log_scale drift "
          f"{(model.scale.log_scale - X_tr.std(0).log()).abs().mean().item():.2f}")


if __name__ == "__main__":
    main()
