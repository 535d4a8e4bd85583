"""Healthy control: MLP with binarised (+-1) hidden activations on sklearn
digits, using a custom torch.autograd.Function that implements the standard
straight-through estimator (forward: sign; backward: pass the gradient
where |x| <= 1, zero elsewhere -- the hard-tanh STE of Courbariaux/Hubara).
BatchNorm before each binarisation, Adam + MultiStepLR, 12 epochs x 22 steps.

Legitimate pattern that may look suspicious: the backward of the custom
Function deliberately differs from the true derivative of sign() (zero almost
everywhere), so a finite-difference comparison disagrees by design; the
hidden activations are also always exactly +-1 (saturated-looking). The
surrogate gradient is implemented correctly (checked: grad equals
1[|x| <= 1] exactly).

Measured: train loss 0.63 -> 0.05, test acc 0.951 -> 0.967.
"""
# traindebug-expect: clean
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class BinarizeSTE(torch.autograd.Function):
    """sign() in the forward pass, hard-tanh straight-through estimator in the backward pass."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * (x.abs() <= 1).to(grad_out.dtype)


def binarize(x):
    return BinarizeSTE.apply(x)


class BinaryActMLP(nn.Module):
    def __init__(self, d_in, hidden, n_classes):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.bn2 = nn.BatchNorm1d(hidden)
        self.fc3 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h = binarize(self.bn1(self.fc1(x)))
        h = binarize(self.bn2(self.fc2(h)))
        return self.fc3(h)


@dataclass
class TrainConfig:
    hidden: int = 128
    epochs: int = 12
    batch_size: int = 64
    lr: float = 5e-3
    milestones: list = field(default_factory=lambda: [8])
    seed: int = 4


def run(cfg: TrainConfig):
    torch.manual_seed(cfg.seed)
    x, y = load_digits(return_X_y=True)
    x = torch.tensor(x / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=cfg.seed, stratify=y)
    mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-3
    x_tr, x_te = (x_tr - mu) / sd, (x_te - mu) / sd

    model = BinaryActMLP(64, cfg.hidden, 10)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=cfg.milestones, gamma=0.3)
    n = len(x_tr)
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            if len(idx) < 2:
                continue
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(x_te).argmax(1) == y_te).float().mean().item()
        if epoch % 3 == 0 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch:2d}  train loss {tot / n:.4f}  test acc {acc:.3f}")
    return acc


if __name__ == "__main__":
    run(TrainConfig())
