"""Neural additive model (one small MLP shape function per feature, outputs summed) for a
synthetic additive regression problem, Adam + ExponentialLR.

Seeded bug: the exponential schedule is configured as a per-epoch decay (gamma = 0.9,
"lr_decay: per-epoch exponential decay") but sched.step() is called inside the batch loop,
16 times per epoch. The learning rate falls from 1e-2 to 1.9e-3 after the first epoch, 2e-6
after five epochs and ~1e-17 at the end, so the remaining ~300 of 320 steps do nothing.

Measured: train MSE freezes at 3.007 from epoch 5 on, final test MSE 3.083. Stepping the
scheduler once per epoch (fixed copy) gives final test MSE 0.227.
"""
# traindebug-expect: lr_too_low
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


@dataclass
class NAMConfig:
    hidden: int = 16
    lr: float = 1e-2
    lr_decay: float = 0.9      # per-epoch exponential decay
    epochs: int = 20
    batch_size: int = 96
    feature_dropout: float = 0.0
    seed: int = 0


class FeatureNet(nn.Module):
    """Shape function f_i(x_i) for one scalar feature."""

    def __init__(self, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


class NeuralAdditiveModel(nn.Module):
    def __init__(self, n_features, hidden):
        super().__init__()
        self.shape_fns = nn.ModuleList(FeatureNet(hidden) for _ in range(n_features))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        contribs = [f(x[:, i:i + 1]) for i, f in enumerate(self.shape_fns)]
        return torch.cat(contribs, dim=1).sum(dim=1) + self.bias


SHAPES = [
    lambda v: np.sin(2.0 * v),
    lambda v: 0.5 * v ** 2 - 0.5,
    lambda v: np.abs(v) - 0.8,
    lambda v: 1.5 * np.tanh(3 * v),
    lambda v: np.exp(-v ** 2) * 2 - 1.4,
    lambda v: 0.7 * v,
    lambda v: np.where(v > 0.3, 1.0, -0.5),
    lambda v: np.cos(3.0 * v),
]


def make_data(n, rng):
    X = rng.normal(0, 1, size=(n, len(SHAPES))).astype(np.float32)
    y = sum(f(X[:, i]) for i, f in enumerate(SHAPES)) + rng.normal(0, 0.1, size=n)
    return torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        mse = nn.functional.mse_loss(model(X), y).item()
    model.train()
    return mse


def train(cfg: NAMConfig):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    Xtr, ytr = make_data(1536, rng)
    Xte, yte = make_data(1024, rng)

    model = NeuralAdditiveModel(Xtr.shape[1], cfg.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.lr_decay)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr),
                                         batch_size=cfg.batch_size, shuffle=True)

    for epoch in range(cfg.epochs):
        tot, n = 0.0, 0
        for xb, yb in loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(xb)
            n += len(xb)
        if epoch % 5 == 4 or epoch == 0:
            print(f"epoch {epoch + 1:3d} lr {opt.param_groups[0]['lr']:.2e} train_mse {tot / n:.4f} "
                  f"test_mse {evaluate(model, Xte, yte):.4f}")
    return evaluate(model, Xte, yte)


if __name__ == "__main__":
    print(f"final test_mse {train(NAMConfig()):.4f}")
