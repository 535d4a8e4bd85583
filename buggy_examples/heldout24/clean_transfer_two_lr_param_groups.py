"""Healthy control: transfer learning on sklearn digits. An encoder is first trained on
digits 0-4 (60 Adam steps), deep-copied into a new classifier with a fresh head, and
fine-tuned on digits 5-9 with AdamW and two parameter groups: lr 1e-5 (no weight decay)
for the copied encoder and lr 1e-2 for the new head (180 steps).

Pattern that might fool a naive detector: the encoder parameters get updates whose
update-to-weight ratio is tiny (lr 1e-5) on purpose - they are the "pretrained" part
that is meant to stay almost fixed - while the head trains at a normal rate.

Measured: upstream acc 0.993; fine-tuning loss 1.17 -> 0.17, validation accuracy
0.067 -> 0.913 on the new classes.
"""
# traindebug-expect: clean
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class Encoder(nn.Module):
    def __init__(self, d_in=64, d_hidden=128, d_feat=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, d_hidden), nn.GELU(), nn.LayerNorm(d_hidden),
            nn.Linear(d_hidden, d_feat), nn.GELU(),
        )

    def forward(self, x):
        return self.net(x)


class Classifier(nn.Module):
    def __init__(self, encoder, n_classes):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.net[3].out_features, n_classes)

    def forward(self, x):
        return self.head(self.encoder(x))


def run_epochs(model, opt, X, y, epochs, batch=64, tag=""):
    g = torch.Generator().manual_seed(1)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(X), generator=g)
        tot = 0.0
        for i in range(0, len(X), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        yield ep, tot / len(X)


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)

# --- stage 1: "upstream" model trained on digits 0-4 ---------------------
src = y < 5
src_model = Classifier(Encoder(), 5)
opt = torch.optim.Adam(src_model.parameters(), lr=2e-3)
for ep, l in run_epochs(src_model, opt, X[src], y[src], epochs=4):
    pass
print(f"upstream model: loss {l:.4f} acc {accuracy(src_model, X[src], y[src]):.3f}")

# --- stage 2: transfer the encoder to digits 5-9 --------------------------
tgt = ~src
Xt, yt = X[tgt], y[tgt] - 5
Xtr, Xva, ytr, yva = train_test_split(Xt, yt, test_size=0.5, random_state=0, stratify=yt)

encoder = copy.deepcopy(src_model.encoder)
model = Classifier(encoder, 5)
opt = torch.optim.AdamW([
    {"params": model.encoder.parameters(), "lr": 1e-5, "weight_decay": 0.0},
    {"params": model.head.parameters(), "lr": 1e-2, "weight_decay": 1e-4},
])
print(f"transfer start: val acc {accuracy(model, Xva, yva):.3f}")
for ep, l in run_epochs(model, opt, Xtr, ytr, epochs=12, batch=32):
    if ep % 3 == 2 or ep == 0:
        print(f"finetune epoch {ep:2d} loss {l:.4f} val acc {accuracy(model, Xva, yva):.3f}")
