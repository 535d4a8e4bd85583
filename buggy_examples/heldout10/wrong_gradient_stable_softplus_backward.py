"""Digits MLP (dataclass config + Trainer class, Adam) using a hand-written,
overflow-safe softplus as a torch.autograd.Function.

Seeded bug: in StableSoftplus.backward the two branches of the sign split are
swapped.  With z = exp(-beta*|x|), sigmoid(beta*x) is 1/(1+z) for x >= 0 and
z/(1+z) for x < 0; the code uses the opposite, i.e. it returns sigmoid(-beta*x)
= 1 - softplus'(x).  Forward values are correct, so the loss looks normal, but
every hidden-layer gradient is wrong (torch.autograd.gradcheck fails: numerical
0.9998 vs analytic ~0.0002 at the same point).

Measured (10 epochs, 220 Adam steps): buggy final train loss 0.696, best val
acc 0.756; with the branches in the correct order: train loss 0.041, val acc
0.978.
"""
# traindebug-expect: wrong_gradient
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    hidden: tuple = (128, 64)
    beta: float = 2.0
    lr: float = 2e-3
    batch_size: int = 64
    epochs: int = 10
    seed: int = 7
    log_every: int = 2
    history: dict = field(default_factory=lambda: {"loss": [], "val_acc": []})


class StableSoftplus(torch.autograd.Function):
    """softplus_beta(x) = log(1 + exp(beta * x)) / beta, overflow-safe forward and backward."""

    @staticmethod
    def forward(ctx, x, beta):
        ctx.save_for_backward(x)
        ctx.beta = beta
        bx = beta * x
        out = torch.clamp(bx, min=0) + torch.log1p(torch.exp(-bx.abs()))
        return out / beta

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        z = torch.exp(-ctx.beta * x.abs())
        # sigmoid(beta*x) without overflow: split on the sign of x
        sig = torch.where(x >= 0, z / (1 + z), 1 / (1 + z))
        return grad_out * sig, None


class Softplus(nn.Module):
    def __init__(self, beta):
        super().__init__()
        self.beta = beta

    def forward(self, x):
        return StableSoftplus.apply(x, self.beta)


def build_model(cfg, n_in, n_out):
    layers, d = [], n_in
    for h in cfg.hidden:
        layers += [nn.Linear(d, h), Softplus(cfg.beta)]
        d = h
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


class Trainer:
    def __init__(self, cfg, model, train_data, val_data):
        self.cfg = cfg
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        self.loss_fn = nn.CrossEntropyLoss()
        self.Xtr, self.ytr = train_data
        self.Xva, self.yva = val_data
        self.gen = torch.Generator().manual_seed(cfg.seed)

    def batches(self):
        perm = torch.randperm(len(self.Xtr), generator=self.gen)
        for i in range(0, len(perm), self.cfg.batch_size):
            idx = perm[i:i + self.cfg.batch_size]
            yield self.Xtr[idx], self.ytr[idx]

    @torch.no_grad()
    def accuracy(self, X, y):
        self.model.eval()
        acc = (self.model(X).argmax(1) == y).float().mean().item()
        self.model.train()
        return acc

    def fit(self):
        for epoch in range(self.cfg.epochs):
            total, n = 0.0, 0
            for xb, yb in self.batches():
                self.opt.zero_grad()
                loss = self.loss_fn(self.model(xb), yb)
                loss.backward()
                self.opt.step()
                total += loss.item() * len(xb)
                n += len(xb)
            self.cfg.history["loss"].append(total / n)
            self.cfg.history["val_acc"].append(self.accuracy(self.Xva, self.yva))
            if epoch % self.cfg.log_every == 0 or epoch == self.cfg.epochs - 1:
                print(f"epoch {epoch:2d}  loss {total / n:.4f}  val_acc {self.cfg.history['val_acc'][-1]:.3f}")


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(1)
    np.random.seed(cfg.seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train = (to_t(sc.transform(Xtr)), torch.tensor(ytr))
    val = (to_t(sc.transform(Xva)), torch.tensor(yva))
    model = build_model(cfg, X.shape[1], 10)
    Trainer(cfg, model, train, val).fit()
    print(f"final train loss {cfg.history['loss'][-1]:.4f}  best val acc {max(cfg.history['val_acc']):.3f}")


if __name__ == "__main__":
    main()
