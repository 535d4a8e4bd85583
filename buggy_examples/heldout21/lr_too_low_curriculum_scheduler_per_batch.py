"""Curriculum learning on a synthetic tabular task (6 numeric features + two
categorical columns through nn.Embedding, binary target). Training examples
are ordered from easy (large margin) to hard, and the visible training set
grows from 30% to 100% over 8 epochs; custom Dataset + Subset + DataLoader,
SGD with momentum and an ExponentialLR(gamma=0.85) schedule.

Seeded bug (lr_too_low): the ExponentialLR schedule is meant to decay once
per epoch but sched.step() sits inside the batch loop, so the learning rate
is multiplied by 0.85 on every one of the 328 steps: 2.3e-3 after the first
epoch (19 steps), 2e-7 after 76 steps, ~1e-25 at the end. Training
effectively stops after a few dozen steps. Measured: val loss 0.668, val acc
0.524 (majority-class level) from epoch 1 onward; stepping the scheduler once
per epoch gives val loss 0.285 and val acc 0.873.
"""
# traindebug-expect: lr_too_low
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader, Subset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N, N_NUM, CARD = 5000, 6, (7, 5)


class TabularDataset(Dataset):
    def __init__(self, num, cat, y):
        self.num = torch.tensor(num, dtype=torch.float32)
        self.cat = torch.tensor(cat, dtype=torch.long)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.num[i], self.cat[i], self.y[i]


def synth():
    num = rng.normal(size=(N, N_NUM))
    cat = np.stack([rng.integers(0, c, N) for c in CARD], 1)
    eff0 = rng.normal(scale=1.5, size=CARD[0])
    eff1 = rng.normal(scale=1.0, size=CARD[1])
    logit = (1.5 * num[:, 0] - num[:, 1] * num[:, 2] + np.sin(2 * num[:, 3])
             + eff0[cat[:, 0]] + eff1[cat[:, 1]] - 0.3)
    y = (logit + rng.logistic(scale=0.3, size=N) > 0).astype(np.float32)
    return num, cat, y, np.abs(logit)


class TabNet(nn.Module):
    def __init__(self, emb_dim=4, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, emb_dim) for c in CARD)
        self.mlp = nn.Sequential(
            nn.Linear(N_NUM + emb_dim * len(CARD), hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, num, cat):
        e = [emb(cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat([num] + e, 1)).squeeze(-1)


num, cat, y, margin = synth()
n_val = 1000
val = TabularDataset(num[:n_val], cat[:n_val], y[:n_val])
train = TabularDataset(num[n_val:], cat[n_val:], y[n_val:])
# curriculum: order training examples from easiest (large margin) to hardest
order = np.argsort(-margin[n_val:])

model = TabNet()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.85)
EPOCHS = 8
fractions = np.linspace(0.3, 1.0, EPOCHS)


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(val.num, val.cat)
        loss = F.binary_cross_entropy_with_logits(logits, val.y).item()
        acc = ((logits > 0).float() == val.y).float().mean().item()
    return loss, acc


steps = 0
for epoch in range(EPOCHS):
    k = int(fractions[epoch] * len(train))
    subset = Subset(train, order[:k].tolist())
    loader = DataLoader(subset, batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(epoch))
    model.train()
    tot = 0.0
    for xn, xc, yb in loader:
        loss = F.binary_cross_entropy_with_logits(model(xn, xc), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(yb)
        steps += 1
    vl, va = evaluate()
    print(f"epoch {epoch}  n_train {k:4d}  steps {steps:3d}  "
          f"train loss {tot / k:.4f}  val loss {vl:.4f}  val acc {va:.3f}")
