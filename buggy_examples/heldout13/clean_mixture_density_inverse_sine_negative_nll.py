"""Mixture density network (6 Gaussians) for the multi-valued inverse of
x = y + 0.3 sin(2 pi y) + noise, trained with a logsumexp mixture NLL.

Healthy control.  Patterns that might fool a naive detector:
  * the loss is a continuous negative log-likelihood, so it legitimately
    crosses zero and ends clearly negative (a density > 1 on a narrow target);
  * log_sigma is clamped to [-7, 3] (hard clamp in the forward pass) and the
    per-component outputs are computed in log space, so nothing is non-finite.

Measured (16 epochs, 304 Adam steps with cosine schedule):
  train NLL +0.148 (epoch 1) -> -0.918, val NLL -0.29 -> -0.932,
  vs +0.868 for the best unconditional Gaussian; no NaN/Inf anywhere.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)
rng = np.random.default_rng(11)

# inverse problem: the forward map y -> x is single-valued, x -> y is not
N = 3000
y = rng.uniform(-1.0, 1.0, size=N)
x = y + 0.3 * np.sin(2 * np.pi * y) + rng.normal(scale=0.03, size=N)
x = torch.tensor(x, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
perm = torch.randperm(N)
tr, va = perm[:2400], perm[2400:]
x_tr, y_tr, x_va, y_va = x[tr], y[tr], x[va], y[va]

K = 6
HIDDEN = 64
BATCH = 128
EPOCHS = 16
LR = 4e-3


class MDN(nn.Module):
    def __init__(self, k, hidden):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, k)
        self.mu = nn.Linear(hidden, k)
        self.log_sigma = nn.Linear(hidden, k)

    def forward(self, x):
        h = self.body(x)
        log_pi = F.log_softmax(self.pi(h), dim=-1)
        log_sigma = self.log_sigma(h).clamp(-7.0, 3.0)
        return log_pi, self.mu(h), log_sigma


def mdn_nll(log_pi, mu, log_sigma, target):
    z = (target - mu) * torch.exp(-log_sigma)
    log_comp = -0.5 * z.pow(2) - log_sigma - 0.5 * math.log(2 * math.pi)
    return -torch.logsumexp(log_pi + log_comp, dim=-1).mean()


model = MDN(K, HIDDEN)
opt = torch.optim.Adam(model.parameters(), lr=LR)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * math.ceil(len(tr) / BATCH))

step = 0
for epoch in range(EPOCHS):
    order = torch.randperm(len(x_tr))
    model.train()
    total = 0.0
    for i in range(0, len(order), BATCH):
        idx = order[i:i + BATCH]
        loss = mdn_nll(*model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item() * len(idx)
        step += 1
    model.eval()
    with torch.no_grad():
        val_nll = mdn_nll(*model(x_va), y_va).item()
    if epoch % 3 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:2d}  step {step}  train nll {total / len(tr):+.3f}  val nll {val_nll:+.3f}")

# compare against the best single Gaussian (homoscedastic) baseline
with torch.no_grad():
    sd = y_tr.std().item()
    base = 0.5 * math.log(2 * math.pi * sd ** 2) + 0.5
    print(f"unconditional gaussian nll {base:+.3f}; mdn val nll {val_nll:+.3f}")
