"""Hierarchical digit classifier: shared ReLU trunk, a coarse head (3 shape groups,
softmax CE) and a fine head (10 digits, one-vs-rest sigmoid BCE) that is conditioned on
the coarse prediction. Small class-based Trainer.

Seeded bug (dead_units): the focal-loss style "prior" bias init
(-log((1-p)/p) = -2.2 for p=0.1), meant only for the final one-vs-rest output layer,
is applied with `model.apply(...)` to every nn.Linear, including the ReLU trunk.
Pre-activation std is ~0.6, so almost every trunk unit starts below zero: at init 77%
of first-layer units and 100% of second-layer units are zero on a whole 256-sample
batch, so the trunk gets no gradient and never recovers.

Measured (12 epochs, 240 steps): buggy loss 0.874 -> 0.870, test coarse acc 0.396,
fine acc 0.102 (chance); fixed copy (prior init only on fine_head[-1]) loss
0.73 -> 0.014, coarse acc 0.976, fine acc 0.963.
"""
# traindebug-expect: dead_units
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(4)

# coarse groups of the ten digits (roughly by shape)
COARSE_OF = torch.tensor([0, 1, 2, 2, 1, 2, 0, 1, 0, 0])
N_COARSE, N_FINE = 3, 10


class HierarchicalNet(nn.Module):
    def __init__(self, d_in, width=128):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
        )
        self.coarse_head = nn.Linear(width, N_COARSE)
        self.fine_head = nn.Sequential(nn.Linear(width + N_COARSE, 64), nn.ReLU(), nn.Linear(64, N_FINE))

    def forward(self, x):
        z = self.trunk(x)
        coarse = self.coarse_head(z)
        fine = self.fine_head(torch.cat([z, coarse.softmax(-1)], dim=-1))
        return coarse, fine


def prior_bias_init(module, prior=0.1):
    # one-vs-rest sigmoid outputs start at p=prior instead of 0.5 (stabilises early BCE)
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.bias, -math.log((1 - prior) / prior))


class Trainer:
    def __init__(self, model, lr=1e-3, coarse_weight=0.5):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.coarse_weight = coarse_weight

    def loss(self, x, y):
        coarse, fine = self.model(x)
        l_coarse = F.cross_entropy(coarse, COARSE_OF[y])
        l_fine = F.binary_cross_entropy_with_logits(fine, F.one_hot(y, N_FINE).float())
        return l_fine + self.coarse_weight * l_coarse, l_coarse, l_fine

    def fit_epoch(self, X, y, bs=64):
        self.model.train()
        perm = torch.randperm(len(X))
        stats = []
        for i in range(0, len(X), bs):
            idx = perm[i:i + bs]
            loss, lc, lf = self.loss(X[idx], y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            stats.append((loss.item(), lc.item(), lf.item()))
        return np.mean(stats, axis=0)

    @torch.no_grad()
    def evaluate(self, X, y):
        self.model.eval()
        coarse, fine = self.model(X)
        return ((coarse.argmax(-1) == COARSE_OF[y]).float().mean().item(),
                (fine.argmax(-1) == y).float().mean().item())


def main():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=1, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    model = HierarchicalNet(Xtr.shape[1])
    model.apply(prior_bias_init)
    trainer = Trainer(model)
    for ep in range(12):
        tot, lc, lf = trainer.fit_epoch(Xtr, ytr)
        if ep % 3 == 2 or ep == 0:
            acc_c, acc_f = trainer.evaluate(Xte, yte)
            print(f"epoch {ep + 1:2d} loss {tot:.4f} (coarse {lc:.4f}, fine {lf:.4f}) "
                  f"test coarse_acc {acc_c:.3f} fine_acc {acc_f:.3f}")


if __name__ == "__main__":
    main()
