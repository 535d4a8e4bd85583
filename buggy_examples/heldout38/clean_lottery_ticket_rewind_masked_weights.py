"""Lottery-ticket magnitude pruning with weight rewinding (Frankle & Carbin 2019), sklearn digits.

MaskedLinear layers (64-128-128-10) keep a weight and a binary mask buffer and compute
F.linear(x, weight * mask, bias).  Round 0 trains the dense network (Adam 2e-3, batch
64, 6 epochs); then the 70 % smallest-magnitude weights of every layer are pruned, the
surviving weights are rewound to their initial values and the sparse "ticket" is
retrained from scratch with a fresh Adam for 6 epochs (264 optimizer steps in total).

Healthy control: after pruning, 70 % of every weight matrix is multiplied by zero in
forward, so those entries get exactly zero gradient and never change again (Adam does
not move them either, as their gradient and moments stay zero).  At the rewind the
training loss jumps back up to its initial value and then falls again.

Possible false alarm: a detector could read the many weights with zero gradient as
no_gradient_flow or frozen_or_unoptimized, and the sudden loss jump at the rewind
(step 133) as a divergence / lr_too_high spike.

Measured (seed 0): dense net test accuracy 0.958; final sparse ticket train loss
0.061, test loss 0.116, test accuracy 0.967.
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

PRUNE_FRAC = 0.7
EPOCHS = 6
BATCH = 64


class MaskedLinear(nn.Linear):
    def __init__(self, d_in, d_out):
        super().__init__(d_in, d_out)
        self.register_buffer("mask", torch.ones_like(self.weight))

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)

    @torch.no_grad()
    def prune_by_magnitude(self, frac):
        alive = self.weight[self.mask.bool()].abs()
        k = int(frac * alive.numel())
        thresh = alive.kthvalue(k).values
        self.mask.mul_((self.weight.abs() > thresh).float())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = MaskedLinear(64, 128)
        self.fc2 = MaskedLinear(128, 128)
        self.out = MaskedLinear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)

    def masked_layers(self):
        return [self.fc1, self.fc2, self.out]


digits = load_digits()
X = digits.data.astype(np.float32)
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
mean, std = X_tr.mean(0), X_tr.std(0) + 1.0
X_tr = torch.tensor((X_tr - mean) / std)
X_te = torch.tensor((X_te - mean) / std)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)


def train_round(model, tag):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    n = len(y_tr)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 2 == 1:
            tl, ta = evaluate(model)
            print(f"[{tag}] epoch {epoch + 1}  train loss {total / n:.4f}  test loss {tl:.4f}  test acc {ta:.3f}")


@torch.no_grad()
def evaluate(model):
    model.eval()
    logits = model(X_te)
    return F.cross_entropy(logits, y_te).item(), (logits.argmax(1) == y_te).float().mean().item()


model = Net()
init_state = copy.deepcopy(model.state_dict())

train_round(model, "dense")
for layer in model.masked_layers():
    layer.prune_by_magnitude(PRUNE_FRAC)
masks = {k: v.clone() for k, v in model.state_dict().items() if k.endswith("mask")}
rewound = {k: (masks[k] if k in masks else v.clone()) for k, v in init_state.items()}
model.load_state_dict(rewound)
sparsity = 1 - sum(m.sum().item() for m in masks.values()) / sum(m.numel() for m in masks.values())
print(f"pruned to sparsity {sparsity:.2f}, rewound to init")
train_round(model, "ticket")

tl, ta = evaluate(model)
print(f"final: test loss {tl:.4f}  test accuracy {ta:.4f}")
