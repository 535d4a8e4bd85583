"""Functional-style MLP (explicit weight/bias tensors in a dict, no nn.Module) for
Friedman-1 regression (make_friedman1, standardised target), AdamW with a hand-written
schedule: cubic warm-up over the first 120 of 360 steps, then cosine decay to 5%.

Healthy control. Patterns a naive detector might flag: the learning rate is exactly 0 at
step 0 and tiny for the first ~50 steps (cubic warm-up), so the loss barely moves
early on (val MSE 1.14 -> 1.01 after 40 steps) and update/weight ratios are ~1e-6
there; weight decay is applied only to weight matrices, not to biases (two param
groups); parameters are plain tensors, not module parameters; leaky ReLU.

Measured (360 steps): val MSE 1.145 -> 0.085 (standardised target; a constant predictor
gives ~1.0), final batch MSE 0.04-0.06.
"""
# traindebug-expect: clean
import math

import torch
import torch.nn.functional as F
from sklearn.datasets import make_friedman1

torch.set_num_threads(1)
torch.manual_seed(5)

WARMUP_STEPS = 120
TOTAL_STEPS = 360
PEAK_LR = 4e-3
BATCH = 64


def init_params(sizes):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"W{i}"] = (torch.randn(fan_in, fan_out) * math.sqrt(2.0 / fan_in)).requires_grad_()
        params[f"b{i}"] = torch.zeros(fan_out, requires_grad=True)
    return params


def forward(params, x, n_layers):
    h = x
    for i in range(n_layers):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < n_layers - 1:
            h = F.leaky_relu(h, 0.01)
    return h.squeeze(-1)


def lr_at(step):
    # slow polynomial warm-up followed by cosine decay to 5% of the peak
    if step < WARMUP_STEPS:
        return PEAK_LR * (step / WARMUP_STEPS) ** 3
    progress = (step - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)
    return PEAK_LR * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def main():
    X, y = make_friedman1(n_samples=2000, n_features=10, noise=0.5, random_state=0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    Xtr, Xva, ytr, yva = X[:1600], X[1600:], y[:1600], y[1600:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    ym, ys = ytr.mean(), ytr.std()
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    ytr, yva = (ytr - ym) / ys, (yva - ym) / ys

    sizes = [10, 64, 64, 1]
    n_layers = len(sizes) - 1
    params = init_params(sizes)
    decay = [p for k, p in params.items() if k.startswith("W")]
    no_decay = [p for k, p in params.items() if k.startswith("b")]
    opt = torch.optim.AdamW([
        {"params": decay, "weight_decay": 1e-2},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=0.0)

    g = torch.Generator().manual_seed(1)
    for step in range(TOTAL_STEPS):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        idx = torch.randint(0, len(Xtr), (BATCH,), generator=g)
        loss = F.mse_loss(forward(params, Xtr[idx], n_layers), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 40 == 0 or step == TOTAL_STEPS - 1:
            with torch.no_grad():
                va = F.mse_loss(forward(params, Xva, n_layers), yva).item()
            print(f"step {step:3d} lr {lr_at(step):.2e} batch_mse {loss.item():.4f} val_mse {va:.4f}")
    return va


if __name__ == "__main__":
    main()
