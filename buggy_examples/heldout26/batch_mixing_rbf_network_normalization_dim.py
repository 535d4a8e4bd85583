"""Normalised RBF network (learnable centres and per-centre log-widths, linear
readout) for 2-D regression of a smooth generated function; class-based
Trainer with Adam, cosine schedule and an early-stopping callback, batch 96.

Seeded bug (batch_mixing): the normalised-RBF step divides by
`phi.sum(dim=0, keepdim=True)`, i.e. it normalises each centre's activation
over the samples of the batch instead of over the centres (dim=-1). Every
prediction now depends on the other rows of the batch, and the full-batch
validation pass (240 rows) sees a different normalisation than the
96-row training batches.

Measured: train MSE 0.045-0.049, val MSE stuck at 0.196 (predict-mean
baseline 0.422); early stopping fires at epoch 21. Fixed copy (dim=-1):
train MSE 0.0038, val MSE 0.0052, runs all 30 epochs.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


def target_fn(x):
    return np.sin(2.5 * x[:, 0]) * np.cos(1.5 * x[:, 1]) + 0.3 * x[:, 0] ** 2


class NormalizedRBF(nn.Module):
    """Normalised Gaussian RBF layer with learnable centres and per-centre widths."""

    def __init__(self, d_in, n_centres, init_points):
        super().__init__()
        pick = torch.randperm(len(init_points))[:n_centres]
        self.centres = nn.Parameter(init_points[pick].clone())
        self.log_width = nn.Parameter(torch.full((n_centres,), -0.7))

    def forward(self, x):
        d2 = torch.cdist(x, self.centres).pow(2)                  # B, K
        logits = -0.5 * d2 * torch.exp(-2.0 * self.log_width)
        phi = torch.exp(logits - logits.max(dim=-1, keepdim=True).values)
        return phi / phi.sum(dim=0, keepdim=True)


class RBFNet(nn.Module):
    def __init__(self, d_in, n_centres, init_points):
        super().__init__()
        self.rbf = NormalizedRBF(d_in, n_centres, init_points)
        self.readout = nn.Linear(n_centres, 1)

    def forward(self, x):
        return self.readout(self.rbf(x)).squeeze(-1)


class EarlyStopping:
    def __init__(self, patience=6):
        self.best, self.bad, self.patience = float("inf"), 0, patience

    def __call__(self, val):
        if val < self.best - 1e-5:
            self.best, self.bad = val, 0
        else:
            self.bad += 1
        return self.bad >= self.patience


class Trainer:
    def __init__(self, model, lr=0.03, epochs=30, callbacks=()):
        self.model, self.epochs, self.callbacks = model, epochs, list(callbacks)
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.opt, T_max=epochs)
        self.loss_fn = nn.MSELoss()

    def evaluate(self, x, y):
        with torch.no_grad():
            return self.loss_fn(self.model(x), y).item()

    def fit(self, loader, x_val, y_val):
        for epoch in range(self.epochs):
            tot, n = 0.0, 0
            for xb, yb in loader:
                self.opt.zero_grad()
                loss = self.loss_fn(self.model(xb), yb)
                loss.backward()
                self.opt.step()
                tot, n = tot + loss.item() * len(xb), n + len(xb)
            self.sched.step()
            val = self.evaluate(x_val, y_val)
            if epoch % 5 == 0 or epoch == self.epochs - 1:
                print(f"epoch {epoch:2d}  train mse {tot / n:.4f}  val mse {val:.4f}")
            if any(cb(val) for cb in self.callbacks):
                print(f"early stop at epoch {epoch}")
                break


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 2, size=(1200, 2))
    y = target_fn(x) + 0.05 * rng.standard_normal(len(x))
    x, y = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    x_tr, y_tr, x_val, y_val = x[:960], y[:960], x[960:], y[960:]
    print(f"predict-mean val mse {((y_val - y_tr.mean()) ** 2).mean():.4f}")

    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=96, shuffle=True)
    model = RBFNet(2, 40, x_tr)
    Trainer(model, callbacks=[EarlyStopping()]).fit(loader, x_val, y_val)


if __name__ == "__main__":
    main()
