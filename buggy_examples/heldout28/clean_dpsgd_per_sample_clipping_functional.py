"""
Differentially private training (DP-SGD) of a small MLP on the scikit-learn
breast-cancer data (standardised features, 30 -> 32 -> 2), written in the
functional style: parameters live in a dict, per-sample gradients come from
torch.func.vmap(torch.func.grad(...)), each sample's gradient is clipped to
L2 norm C = 1.0, the clipped gradients are summed, Gaussian noise with
std sigma * C (sigma = 0.8) is added and the noisy mean is applied by a
hand-written momentum-SGD update (lr 0.25, momentum 0.9). Poisson-free
fixed-size batches of 64, 300 steps.

Healthy control: standard DP-SGD recipe with a moderate noise multiplier.
Possible false alarm: (a) the Gaussian noise dominates the update once the
model fits: at the end the mean clipped gradient of a batch has norm ~0.018
while the injected noise has norm ~0.41 (0.8 * 1.0 / 64 * sqrt(1058
parameters)), so the updates look like a random walk and the train loss
stops decreasing monotonically; (b) gradients are clipped per sample
(a few percent of samples hit the bound each step); (c) the parameters
never get .grad populated (no loss.backward()) and there is no torch.optim
optimizer at all.

Measured (seed 0, 1 thread): full-train loss 0.071 at step 50 and 0.043 at
step 300 (0.69 at init), final test accuracy 0.947 (logged 0.947-0.959).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.func import functional_call, grad, vmap

torch.set_num_threads(1)
torch.manual_seed(0)

CLIP, SIGMA, LR, MOMENTUM, BATCH, STEPS = 1.0, 0.8, 0.25, 0.9, 64, 300

X, y = load_breast_cancer(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)


def init_params(d_in=30, hidden=32, d_out=2):
    def lin(i, o):
        bound = 1 / math.sqrt(i)
        return (torch.empty(o, i).uniform_(-bound, bound), torch.empty(o).uniform_(-bound, bound))
    w1, b1 = lin(d_in, hidden)
    w2, b2 = lin(hidden, d_out)
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2}


def forward(params, x):
    h = torch.tanh(x @ params["w1"].T + params["b1"])
    return h @ params["w2"].T + params["b2"]


def sample_loss(params, x, y):
    return F.cross_entropy(forward(params, x.unsqueeze(0)), y.unsqueeze(0))


per_sample_grads = vmap(grad(sample_loss), in_dims=(None, 0, 0))

params = init_params()
velocity = {k: torch.zeros_like(v) for k, v in params.items()}

for step in range(1, STEPS + 1):
    idx = torch.randint(0, len(X_tr), (BATCH,))
    xb, yb = X_tr[idx], y_tr[idx]
    grads = per_sample_grads(params, xb, yb)
    norms = torch.sqrt(sum(g.flatten(1).pow(2).sum(1) for g in grads.values()))
    factor = (CLIP / (norms + 1e-6)).clamp(max=1.0)
    clipped_frac = (norms > CLIP).float().mean().item()
    with torch.no_grad():
        for k in params:
            g = (grads[k] * factor.view(-1, *[1] * (grads[k].dim() - 1))).sum(0)
            g = (g + SIGMA * CLIP * torch.randn_like(g)) / BATCH
            velocity[k].mul_(MOMENTUM).add_(g)
            params[k].sub_(LR * velocity[k])
    if step % 50 == 0:
        with torch.no_grad():
            train_loss = F.cross_entropy(forward(params, X_tr), y_tr).item()
            test_acc = (forward(params, X_te).argmax(1) == y_te).float().mean().item()
        print(f"step {step}  train loss {train_loss:.4f}  test acc {test_acc:.3f}  clipped {clipped_frac:.2f}")

print(f"final test accuracy {test_acc:.3f}")
