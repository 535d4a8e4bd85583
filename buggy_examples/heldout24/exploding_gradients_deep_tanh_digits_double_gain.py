"""Deep (20 hidden layers, width 64) residual-free tanh MLP on sklearn digits with a
hand-written mini-batch loop and torch.optim.NAdam.

Seeded bug (exploding_gradients): the init helper combines the tanh gain (5/3) with the
He factor sqrt(2 / fan_in), i.e. std = 5/3 * sqrt(2/fan_in) (weight scale sigma_w ~ 2.36
instead of 5/3). Tanh nets in this regime are chaotic: the backward signal grows at
every layer, so the first layers get far larger gradients than the last.

Measured at init (batch of 256): weight-gradient norm of the first Linear 18.7, of the
last hidden Linear 0.35 (53x growth towards the input); fixed copy 2.14 vs 0.62 (3.4x).
After 220 steps: buggy loss 1.26, test acc 0.489; fixed copy (std = gain / sqrt(fan_in))
loss 0.066, test acc 0.884.
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(3)

DEPTH = 20
WIDTH = 64
BATCH = 64
EPOCHS = 10


def init_tanh_layer(layer: nn.Linear):
    fan_in = layer.weight.shape[1]
    gain = nn.init.calculate_gain("tanh")
    std = gain * math.sqrt(2.0 / fan_in)
    with torch.no_grad():
        layer.weight.normal_(0.0, std)
        layer.bias.zero_()


def build_mlp(d_in, n_classes):
    layers = []
    d = d_in
    for _ in range(DEPTH):
        lin = nn.Linear(d, WIDTH)
        init_tanh_layer(lin)
        layers += [lin, nn.Tanh()]
        d = WIDTH
    head = nn.Linear(d, n_classes)
    nn.init.xavier_uniform_(head.weight)
    nn.init.zeros_(head.bias)
    return nn.Sequential(*layers, head)


digits = load_digits()
Xtr, Xte, ytr, yte = train_test_split(digits.data, digits.target, test_size=0.25,
                                      random_state=0, stratify=digits.target)
scaler = StandardScaler().fit(Xtr)
Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(scaler.transform(Xte), dtype=torch.float32)
ytr = torch.tensor(ytr)
yte = torch.tensor(yte)

model = build_mlp(64, 10)
optimizer = torch.optim.NAdam(model.parameters(), lr=2e-3)

g = torch.Generator().manual_seed(0)
step = 0
for epoch in range(EPOCHS):
    order = torch.randperm(len(Xtr), generator=g)
    epoch_loss = 0.0
    for start in range(0, len(Xtr), BATCH):
        idx = order[start:start + BATCH]
        logits = model(Xtr[idx])
        loss = F.cross_entropy(logits, ytr[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(idx)
        step += 1
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    if epoch % 2 == 1 or epoch == 0:
        print(f"epoch {epoch:2d} step {step:4d} loss {epoch_loss / len(Xtr):.4f} test acc {acc:.3f}")
