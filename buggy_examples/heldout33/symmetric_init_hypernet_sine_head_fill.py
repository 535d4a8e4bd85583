"""
Hypernetwork for a family of sine regression tasks y = A sin(x + phi): a task encoder MLP maps
(A, cos phi, sin phi) to the full parameter vector (97 numbers) of a target net 1 -> 32 -> 1
(tanh), which is then evaluated functionally with torch.func.functional_call on 40 query points
per task. Adam lr 1e-3, 16 tasks per batch, 300 steps, MSE.

Seeded bug: the author wanted a small init for the hypernetwork's output layer and wrote
self.head.weight.data.fill_(scale) instead of .normal_(0, scale). Every row of the output layer is
identical, so every generated target weight, bias and output weight starts with the same value
for all 32 hidden units; the gradients for the 32 units are then identical too, so they stay
clones forever and the target net behaves like a single tanh unit, which cannot fit a full sine
period.

Measured (seed 0, 1 thread): buggy: final train MSE 0.843, held-out-task MSE 0.841.
Fixed copy (.normal_(0, scale)): final train MSE 0.0032, held-out-task MSE 0.0030.
"""
# traindebug-expect: symmetric_init
import math

import numpy as np
import torch
import torch.nn as nn
from torch.func import functional_call

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class TargetNet(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(1, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


class HyperNet(nn.Module):
    def __init__(self, target, hidden=64):
        super().__init__()
        self.shapes = {k: v.shape for k, v in target.named_parameters()}
        n_out = sum(math.prod(s) for s in self.shapes.values())
        self.body = nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, n_out)
        scale = 1.0 / math.sqrt(hidden)
        self.head.weight.data.fill_(scale)
        self.head.bias.data.zero_()

    def forward(self, cond):
        flat = self.head(self.body(cond))
        params, i = {}, 0
        for name, shape in self.shapes.items():
            n = math.prod(shape)
            params[name] = flat[i:i + n].view(shape)
            i += n
        return params


def sample_tasks(n, gen):
    amp = torch.rand(n, generator=gen) * 1.5 + 0.5
    phase = torch.rand(n, generator=gen) * 2 * math.pi
    return amp, phase


def task_batch(amp, phase, gen, n_query=40):
    x = torch.rand(len(amp), n_query, 1, generator=gen) * 2 * math.pi - math.pi
    y = amp[:, None, None] * torch.sin(x + phase[:, None, None])
    cond = torch.stack([amp, torch.cos(phase), torch.sin(phase)], 1)
    return cond, x, y


def batch_mse(hyper, target, cond, x, y):
    losses = []
    for c, xi, yi in zip(cond, x, y):
        pred = functional_call(target, hyper(c), (xi,))
        losses.append(((pred - yi) ** 2).mean())
    return torch.stack(losses).mean()


gen = torch.Generator().manual_seed(1)
target = TargetNet()
hyper = HyperNet(target)
opt = torch.optim.Adam(hyper.parameters(), lr=1e-3)
val = task_batch(*sample_tasks(32, gen), gen)

for step in range(300):
    cond, x, y = task_batch(*sample_tasks(16, gen), gen)
    loss = batch_mse(hyper, target, cond, x, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 80 == 0 or step == 299:
        with torch.no_grad():
            vl = batch_mse(hyper, target, *val)
        print(f"step {step:3d} train mse {loss.item():.4f} held-out tasks mse {vl.item():.4f}")
print(f"final train mse {loss.item():.4f} held-out tasks mse {vl.item():.4f}")
