"""
Growing neural cellular automaton (Mordvintsev et al. style) on a 12x12 grid: starting from a
single seed cell, 8-channel cell states are updated for 12 steps and channel 0 must reproduce
a handwritten "3" from sklearn's load_digits (8x8, scaled to [0, 1], centred on the grid).
Perception = identity + Sobel-x + Sobel-y depthwise filters (zero padding), update rule = per-cell
MLP (1x1 convs 24 -> 32 -> 8, ReLU, zero-initialised last layer), stochastic cell updates with
fire rate 0.5. Adam lr 2e-3, batch 4 rollouts, 200 steps, MSE on channel 0.
The fixed filter bank is applied through a small torch.autograd.Function so that nothing is
saved for backward during the long rollout (the op is linear in x).

Seeded bug: the hand-written backward applies the *same* cross-correlation as the forward
(`F.conv2d(g, f, ...)`). The adjoint of a cross-correlation is the correlation with the
spatially flipped kernel (conv_transpose2d). The identity filter is symmetric so that part is
right, but both Sobel kernels are antisymmetric, so every gradient that flows back through the
perception of an earlier step has the wrong sign in its gradient-channels; gradients through the
rollout disagree with finite differences. Fix: `F.conv2d(g, f.flip(-2, -1), ...)`.

Measured (seed 0, 1 thread): buggy: final train MSE 0.0595, eval MSE (20 fresh rollouts)
0.0543. Fixed copy: final train MSE 0.0178, eval MSE 0.0166.
"""
# traindebug-expect: wrong_gradient
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

GRID, CHANNELS, HIDDEN = 12, 8, 32
ROLLOUT, BATCH, STEPS = 12, 4, 200
FIRE_RATE = 0.5

digits = load_digits()
img = digits.images[np.where(digits.target == 3)[0][0]] / 16.0
target = torch.zeros(GRID, GRID)
target[2:10, 2:10] = torch.tensor(img, dtype=torch.float32)

ident = torch.tensor([[0., 0., 0.], [0., 1., 0.], [0., 0., 0.]])
sobel_x = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]) / 8.0
FILTERS = torch.stack([ident, sobel_x, sobel_x.T])


class Perceive(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, filters):
        c = x.shape[1]
        ctx.save_for_backward(filters)
        return torch.cat([F.conv2d(x, f.expand(c, 1, 3, 3), padding=1, groups=c) for f in filters], 1)

    @staticmethod
    def backward(ctx, grad_out):
        (filters,) = ctx.saved_tensors
        c = grad_out.shape[1] // len(filters)
        grad_x = sum(F.conv2d(g, f.expand(c, 1, 3, 3), padding=1, groups=c)
                     for g, f in zip(grad_out.split(c, 1), filters))
        return grad_x, None


class GrowingCA(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc0 = nn.Conv2d(3 * CHANNELS, HIDDEN, 1)
        self.fc1 = nn.Conv2d(HIDDEN, CHANNELS, 1)
        nn.init.zeros_(self.fc1.weight)
        nn.init.zeros_(self.fc1.bias)

    def step(self, x):
        dx = self.fc1(F.relu(self.fc0(Perceive.apply(x, FILTERS))))
        fire = (torch.rand(x.shape[0], 1, GRID, GRID) < FIRE_RATE).float()
        return x + dx * fire

    def forward(self, x, n_steps):
        for _ in range(n_steps):
            x = self.step(x)
        return x


def seed_state(n):
    x = torch.zeros(n, CHANNELS, GRID, GRID)
    x[:, 1:, GRID // 2, GRID // 2] = 1.0
    return x


ca = GrowingCA()
opt = torch.optim.Adam(ca.parameters(), lr=2e-3)

t0 = time.time()
for it in range(1, STEPS + 1):
    out = ca(seed_state(BATCH), ROLLOUT)
    loss = F.mse_loss(out[:, 0], target.expand(BATCH, -1, -1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if it % 50 == 0:
        print(f"iter {it:4d}  mse {loss.item():.5f}")

with torch.no_grad():
    out = ca(seed_state(20), ROLLOUT)
    eval_mse = F.mse_loss(out[:, 0], target.expand(20, -1, -1)).item()
print(f"final train mse {loss.item():.5f}  eval mse {eval_mse:.5f}")
print(f"time {time.time() - t0:.1f}s")
