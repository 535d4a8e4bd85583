"""
"Fast is better than free" adversarial training (FGSM with random start, Wong et al. 2020)
of an MLP (64-256-256-10, ReLU) on load_digits (pixels in [0, 1]). The perturbation
budget is ramped linearly from 0 to eps = 0.15 over the first 60 % of training and then
held; step size 1.25 * eps. Attack gradients are taken w.r.t. the input only
(torch.autograd.grad), with the network in eval mode during the attack and switched back
to train mode before the weight update. Adam lr 1e-3, batch 64, 9 epochs (207 steps).

Healthy control: the training objective is well posed and the model ends with high clean
accuracy and decent robustness.

Possible false alarm: the adversarial training loss goes UP in the middle of the run (the attack
gets stronger every step while eps ramps), then stays on a high plateau (~0.7) instead of
approaching zero; a naive detector may read this as divergence, lr_too_high or
underfitting. The repeated eval()/train() switches around the attack are also legitimate.

Measured (seed 0, 1 thread): adversarial train loss 2.05 (epoch 1) -> 0.64 (epoch 4) ->
0.79 (epoch 6, eps reaches 0.15) -> 0.67 final; final clean test acc 0.950, FGSM (eps 0.15,
no random start) test acc 0.558.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

EPS_MAX, EPOCHS, BATCH = 0.15, 9, 64

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)

net = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                    nn.Linear(256, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
steps_per_epoch = (len(Xtr) + BATCH - 1) // BATCH
total = EPOCHS * steps_per_epoch
ramp = int(0.6 * total)


def fgsm(x, y, eps, random_start=True):
    net.eval()
    delta = torch.empty_like(x).uniform_(-eps, eps) if random_start else torch.zeros_like(x)
    delta.requires_grad_(True)
    loss = F.cross_entropy(net((x + delta).clamp(0, 1)), y)
    g, = torch.autograd.grad(loss, delta)
    delta = (delta + 1.25 * eps * g.sign()).clamp(-eps, eps).detach()
    net.train()
    return (x + delta).clamp(0, 1)


def accuracy(x, y, eps=0.0):
    if eps > 0:
        x = fgsm(x, y, eps, random_start=False)
    net.eval()
    with torch.no_grad():
        acc = (net(x).argmax(1) == y).float().mean().item()
    net.train()
    return acc


step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(len(Xtr))
    run = 0.0
    for i in range(0, len(perm), BATCH):
        idx = perm[i:i + BATCH]
        eps = EPS_MAX * min(1.0, step / ramp)
        x_adv = fgsm(Xtr[idx], ytr[idx], eps) if eps > 0 else Xtr[idx]
        loss = F.cross_entropy(net(x_adv), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
        step += 1
    print(f"epoch {epoch + 1}  eps {eps:.3f}  adv train loss {run / len(perm):.4f}  "
          f"clean test acc {accuracy(Xte, yte):.3f}")

print(f"final: clean acc {accuracy(Xte, yte):.3f}  fgsm acc {accuracy(Xte, yte, EPS_MAX):.3f}")
