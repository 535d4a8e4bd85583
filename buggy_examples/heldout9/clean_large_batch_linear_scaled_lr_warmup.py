"""Healthy control: a residual tabular MLP with BatchNorm, trained with a very large batch (2048)
and SGD with Nesterov momentum. The learning rate is linearly scaled from 0.1 at batch 128 to a
peak of 1.6, with a 30-step linear warm-up and cosine decay to 0 over 140 steps. The last BN
gamma of each residual branch is zero-initialised (Goyal et al.).

Patterns that can fool a naive detector: an SGD learning rate of 1.6 looks far too high, and
the zero-initialised BN weights look like a constant/zero init. With warm-up, BatchNorm and
zero-init residual branches, training is stable.

Measured healthy numbers: the mean training loss over the first 19 steps is 1.08 (chance
ln 5 = 1.609) and falls to 0.047 by the end. Final val_loss 0.145, val_acc 0.969, with no loss
spikes.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = {
    "data": {"n": 40000, "features": 32, "classes": 5},
    "model": {"width": 128, "blocks": 3},
    "optim": {"base_lr": 0.1, "base_batch": 128, "momentum": 0.9, "weight_decay": 5e-5},
    "schedule": {"warmup_steps": 30, "total_steps": 140},
    "batch_size": 2048,
}


class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.bn1 = nn.BatchNorm1d(width)
        self.fc1 = nn.Linear(width, width)
        self.bn2 = nn.BatchNorm1d(width)
        self.fc2 = nn.Linear(width, width)
        nn.init.zeros_(self.bn2.weight)  # each residual branch starts as identity

    def forward(self, x):
        h = self.fc1(F.relu(self.bn1(x)))
        return x + self.bn2(self.fc2(F.relu(h)))


class TabularResNet(nn.Module):
    def __init__(self, d_in, n_classes, width, blocks):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(blocks)])
        self.head = nn.Sequential(nn.BatchNorm1d(width), nn.ReLU(), nn.Linear(width, n_classes))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


def lr_lambda(warmup_steps, total_steps):
    warmup, total = warmup_steps, total_steps
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * progress))
    return f


def main():
    d = CONFIG["data"]
    X, y = make_classification(n_samples=d["n"] + 5000, n_features=d["features"], n_informative=20, n_redundant=4,
                               n_classes=d["classes"], n_clusters_per_class=3, class_sep=1.5, random_state=3)
    X = (X - X[: d["n"]].mean(0)) / X[: d["n"]].std(0)
    xtr, ytr = torch.tensor(X[: d["n"]], dtype=torch.float32), torch.tensor(y[: d["n"]])
    xva, yva = torch.tensor(X[d["n"]:], dtype=torch.float32), torch.tensor(y[d["n"]:])

    bs = CONFIG["batch_size"]
    o = CONFIG["optim"]
    lr = o["base_lr"] * bs / o["base_batch"]  # linear scaling rule (Goyal et al.)
    model = TabularResNet(d["features"], d["classes"], **CONFIG["model"])
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=o["momentum"], nesterov=True,
                          weight_decay=o["weight_decay"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(**CONFIG["schedule"]))
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=bs, shuffle=True, drop_last=True)
    print(f"batch {bs}  peak lr {lr:.2f}  chance loss {math.log(d['classes']):.3f}")

    step, total = 0, CONFIG["schedule"]["total_steps"]
    while step < total:
        model.train()
        losses = []
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
            if step >= total:
                break
        model.eval()
        with torch.no_grad():
            out = model(xva)
            vl = F.cross_entropy(out, yva).item()
            va = (out.argmax(1) == yva).float().mean().item()
        print(f"step {step:3d} lr {sched.get_last_lr()[0]:.3f} train_loss {np.mean(losses):.4f} "
              f"val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
