"""
PGD adversarial training (Madry et al.) of a small CNN on load_digits (8x8, pixels in
[0, 1]). CNN: conv(1->16)-BN-ReLU, conv(16->32)-BN-ReLU, maxpool, conv(32->32)-BN-ReLU,
global average pool, dropout 0.3, linear 32->10. Attack: L-inf PGD, eps 0.1, 3 steps of
0.04 with random start (5 steps at test time). SGD momentum 0.9, lr 0.05, cosine schedule,
batch 64, 7 epochs (161 steps). Reports clean and PGD test accuracy.

Seeded bug: the attack helper puts the network into eval mode (so the perturbation is
computed against the inference-mode network and BatchNorm running statistics are not
polluted by the attack iterations) but never switches it back. The training loop only
calls model.train() once per epoch, before the batch loop, so after the first attack of
every epoch all weight updates run in eval mode: BatchNorm normalises with its running
statistics (which are then never updated and stay at mean 0 / var 1), dropout is off.
A common misunderstanding of where mode switches need to go.

Measured (seed 0, 1 thread): buggy: clean test acc 0.208, PGD-5 test acc 0.175, last-epoch
adversarial train loss 2.301 (stuck near ln 10). Fixed copy (model.train() restored right
after the attack): clean test acc 0.972, PGD-5 test acc 0.808, train loss 0.536.
"""
# traindebug-expect: wrong_mode
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

EPS = 0.1
ALPHA = 0.04
PGD_STEPS = 3
EPOCHS = 7
BATCH = 64


def conv_bn(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


model = nn.Sequential(
    conv_bn(1, 16),
    conv_bn(16, 32),
    nn.MaxPool2d(2),
    conv_bn(32, 32),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Dropout(0.3),
    nn.Linear(32, 10),
)


def pgd_attack(net, x, y, eps=EPS, alpha=ALPHA, steps=PGD_STEPS):
    net.eval()
    delta = torch.empty_like(x).uniform_(-eps, eps)
    delta = (x + delta).clamp(0, 1) - x
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(net(x + delta), y)
        grad, = torch.autograd.grad(loss, delta)
        delta = delta.detach() + alpha * grad.sign()
        delta = delta.clamp(-eps, eps)
        delta = (x + delta).clamp(0, 1) - x
    return (x + delta).detach()


def evaluate(net, x, y):
    net.eval()
    with torch.no_grad():
        clean = (net(x).argmax(1) == y).float().mean().item()
    x_adv = pgd_attack(net, x, y, steps=5)
    with torch.no_grad():
        robust = (net(x_adv).argmax(1) == y).float().mean().item()
    return clean, robust


X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
y = torch.tensor(y)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=BATCH, shuffle=True)

optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
total_steps = EPOCHS * len(loader)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / total_steps)))

for epoch in range(EPOCHS):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        x_adv = pgd_attack(model, xb, yb)
        loss = F.cross_entropy(model(x_adv), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    if epoch % 4 == 0 or epoch == EPOCHS - 1:
        clean, robust = evaluate(model, Xte, yte)
        print(f"epoch {epoch + 1:2d}  adv train loss {tot / n:.3f}  "
              f"test clean {clean:.3f}  test pgd {robust:.3f}")

clean, robust = evaluate(model, Xte, yte)
print(f"final: clean acc {clean:.3f}  pgd-5 acc {robust:.3f}")
