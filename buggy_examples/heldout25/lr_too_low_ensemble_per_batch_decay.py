"""Deep ensemble of 5 MLPs (stacked parameters, batched baddbmm) on a 4-class
make_classification problem, SGD + Nesterov momentum with ExponentialLR.

Seeded bug: LR_DECAY = 0.9 is meant per epoch, but sched.step() is called inside
the mini-batch loop, so the learning rate is multiplied by 0.9 every optimizer
step (19 steps per epoch). It is 6.8e-3 after the first epoch, 2e-6 after 5 epochs
and ~1e-19 at the end, so the ensemble stops learning after ~40 of its 380 steps.

Measured (380 steps): train loss 1.29 -> 1.00 and flat from step ~60 on;
ensemble test acc 0.633, test NLL 0.985. Same script with sched.step() once per
epoch: train loss 1.22 -> 0.167, test acc 0.847, test NLL 0.504.
"""
# traindebug-expect: lr_too_low
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_MEMBERS = 5
HIDDEN = 64
EPOCHS = 20
BATCH = 96
BASE_LR = 0.05
LR_DECAY = 0.9  # per epoch


class StackedMLPEnsemble(nn.Module):
    """K independent 2-hidden-layer MLPs evaluated in one batched matmul."""

    def __init__(self, k, d_in, d_hidden, d_out):
        super().__init__()
        self.k = k
        self.w1 = nn.Parameter(torch.empty(k, d_in, d_hidden))
        self.b1 = nn.Parameter(torch.zeros(k, 1, d_hidden))
        self.w2 = nn.Parameter(torch.empty(k, d_hidden, d_hidden))
        self.b2 = nn.Parameter(torch.zeros(k, 1, d_hidden))
        self.w3 = nn.Parameter(torch.empty(k, d_hidden, d_out))
        self.b3 = nn.Parameter(torch.zeros(k, 1, d_out))
        for w in (self.w1, self.w2, self.w3):
            fan_in = w.shape[1]
            with torch.no_grad():
                w.normal_(0.0, math.sqrt(2.0 / fan_in))

    def forward(self, x):
        # x: (B, d_in) -> (K, B, d_out)
        h = x.unsqueeze(0).expand(self.k, -1, -1)
        h = F.relu(torch.baddbmm(self.b1, h, self.w1))
        h = F.relu(torch.baddbmm(self.b2, h, self.w2))
        return torch.baddbmm(self.b3, h, self.w3)


def member_losses(logits, y):
    k, b, c = logits.shape
    per = F.cross_entropy(logits.reshape(k * b, c), y.repeat(k), reduction="none")
    return per.view(k, b).mean(dim=1)


def ensemble_predict(model, x):
    with torch.no_grad():
        probs = model(x).softmax(-1).mean(0)
    return probs


def main():
    X, y = make_classification(n_samples=2400, n_features=24, n_informative=12,
                               n_redundant=4, n_classes=4, n_clusters_per_class=2,
                               class_sep=1.0, random_state=3)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr)
    yte = torch.tensor(yte)

    model = StackedMLPEnsemble(N_MEMBERS, Xtr.shape[1], HIDDEN, 4)
    opt = torch.optim.SGD(model.parameters(), lr=BASE_LR, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=LR_DECAY)

    n = Xtr.shape[0]
    step = 0
    t0 = time.time()
    for epoch in range(EPOCHS):
        perm = torch.randperm(n)
        running = 0.0
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = Xtr[idx], ytr[idx]
            logits = model(xb)
            loss = member_losses(logits, yb).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item() / N_MEMBERS
            step += 1
        nb = math.ceil(n / BATCH)
        if epoch % 4 == 0 or epoch == EPOCHS - 1:
            acc = (ensemble_predict(model, Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {epoch:2d} step {step:4d} lr {sched.get_last_lr()[0]:.2e} "
                  f"loss {running / nb:.4f} test_acc {acc:.3f}")

    probs = ensemble_predict(model, Xte)
    nll = F.nll_loss(probs.clamp_min(1e-8).log(), yte).item()
    acc = (probs.argmax(1) == yte).float().mean().item()
    print(f"final: ensemble test acc {acc:.3f} nll {nll:.4f} ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
