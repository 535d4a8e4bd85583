"""Tied-weight LISTA with per-layer learned thresholds for sparse coding of generated signals.

Data: a fixed random dictionary D (30 x 100, unit-norm atoms); codes with 5 non-zeros,
measurements y = D x + 0.01 noise; fresh batches of 128 per step, fixed test set of 1000.
Model: 10 unrolled iterations z <- soft(W y + S z, theta_k) with W and S shared by all
iterations (tied LISTA) and one learned threshold per iteration, initialised from ISTA
with the correct step 1/L, L = ||D||_2^2.  Supervised code MSE, AdamW (lr 2e-3,
weight_decay 0), CosineAnnealingLR over 400 steps, written as a small train() function.

Healthy control: the initialisation is exactly ISTA, training is stable and the learned
model beats ISTA run for the same number of iterations by a wide margin.

Possible false alarm: the soft-threshold nonlinearity returns exact zeros for ~65% of the
code entries (that is the point of sparse coding), so a detector counting "units that are
zero / receive zero gradient" could call them dead ReLU-like units; the gradient through a
tied S is also the sum over 10 unrolled uses, so its norm is larger than W's.

Measured (seed 0, 1 thread, 1000 test signals): ISTA with 10 iterations -2.16 dB NMSE;
learned tied LISTA -9.94 dB after 400 steps (train MSE 0.031 -> 0.0047), 65% exact-zero
code entries at the end.  CPU time ~6.5 s.
"""
# traindebug-expect: clean
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

M, N, K, LAYERS, LAM = 30, 100, 5, 10, 0.05
D = torch.randn(M, N)
D /= D.norm(dim=0, keepdim=True)


def sample(batch):
    x = torch.zeros(batch, N)
    idx = torch.rand(batch, N).argsort(1)[:, :K]
    x.scatter_(1, idx, torch.randn(batch, K))
    return x @ D.T + 0.01 * torch.randn(batch, M), x


class TiedLISTA(nn.Module):
    def __init__(self, D, layers, lam):
        super().__init__()
        L = torch.linalg.matrix_norm(D, ord=2) ** 2
        self.W = nn.Parameter(D.T / L)
        self.S = nn.Parameter(torch.eye(D.shape[1]) - D.T @ D / L)
        self.theta = nn.Parameter(torch.full((layers,), float(lam / L)))
        self.layers = layers

    def forward(self, y):
        b = y @ self.W.T
        z = torch.sign(b) * F.relu(b.abs() - self.theta[0])
        for k in range(1, self.layers):
            v = b + z @ self.S.T
            z = torch.sign(v) * F.relu(v.abs() - self.theta[k])
        return z


def nmse_db(z, x):
    return 10 * torch.log10(((z - x) ** 2).sum() / (x ** 2).sum()).item()


def train(model, steps=400, lr=2e-3, batch=128):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    y_te, x_te = sample(1000)
    for step in range(steps):
        y, x = sample(batch)
        loss = F.mse_loss(model(y), x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 80 == 0 or step == steps - 1:
            with torch.no_grad():
                z = model(y_te)
                zero_frac = (z == 0).float().mean().item()
                print(f"step {step:4d}  loss {loss.item():.5f}  test NMSE {nmse_db(z, x_te):.2f} dB"
                      f"  exact-zero codes {zero_frac:.2f}")
    return nmse_db(model(y_te), x_te)


t0 = time.process_time()
model = TiedLISTA(D, LAYERS, LAM)
with torch.no_grad():
    y0, x0 = sample(1000)
    print(f"ISTA ({LAYERS} iterations) test NMSE {nmse_db(model(y0), x0):.2f} dB")
final = train(model)
print(f"final test NMSE {final:.2f} dB")
print(f"cpu time {time.process_time() - t0:.1f}s")
