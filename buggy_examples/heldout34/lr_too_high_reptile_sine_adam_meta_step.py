"""
Meta-learning with Reptile (Nichol et al. 2018) on 1-D sine regression tasks
(amplitude U[0.1, 5], phase U[0, pi], x in [-5, 5], 10-shot). Model nn.Sequential
1 -> 64 -> 64 -> 1 with tanh; the inner loop adapts a copy of the weights with 5 plain SGD
steps (lr 0.02) through torch.func.functional_call; the Reptile direction (theta - phi) is
written into .grad and applied by a meta-optimizer. argparse config, 300 meta-iterations.

Seeded bug: the meta-optimizer is Adam with lr = --meta-step = 1.0. The value 1.0 is the
Reptile paper's outer step size epsilon for the plain interpolation
theta <- theta + eps (phi - theta), where eps = 1 means "move all the way to the adapted
weights". Handing that number to Adam, which normalises the update to ~lr per coordinate,
moves every weight by about 1.0 per meta-step: the meta-parameters jump around and the
post-adaptation loss spikes by two orders of magnitude.

Measured (seed 0, 1 thread): buggy: post-adaptation query MSE (50-task running mean)
6.5 -> 856 at iter 50 -> 600 -> 127 -> 4.4; held-out tasks after 10 adaptation steps MSE 6.99
(before adaptation 6.32). Fixed copy (Adam lr 1e-3): running mean 6.5 -> 2.1, held-out after
adaptation 2.57 (before 3.15).
"""
# traindebug-expect: lr_too_high
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
from torch.func import functional_call

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

parser = argparse.ArgumentParser(description="Reptile on 1-D sine regression tasks")
parser.add_argument("--meta-iters", type=int, default=300)
parser.add_argument("--inner-steps", type=int, default=5)
parser.add_argument("--inner-lr", type=float, default=0.02)
parser.add_argument("--meta-step", type=float, default=1.0)
parser.add_argument("--k-shot", type=int, default=10)
parser.add_argument("--eval-tasks", type=int, default=50)
args = parser.parse_args()


def sample_task(rng):
    amp = rng.uniform(0.1, 5.0)
    phase = rng.uniform(0.0, math.pi)
    return lambda x: amp * np.sin(x + phase)


def sample_points(task, n, rng):
    x = rng.uniform(-5.0, 5.0, size=(n, 1))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(task(x), dtype=torch.float32)


model = nn.Sequential(
    nn.Linear(1, 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)
meta_opt = torch.optim.Adam(model.parameters(), lr=args.meta_step)
loss_fn = nn.MSELoss()


def adapt(params, x, y, steps, lr, create_graph=False):
    fast = {k: v.clone() for k, v in params.items()}
    for _ in range(steps):
        loss = loss_fn(functional_call(model, fast, (x,)), y)
        grads = torch.autograd.grad(loss, list(fast.values()), create_graph=create_graph)
        fast = {k: v - lr * g for (k, v), g in zip(fast.items(), grads)}
    return fast


def evaluate(n_tasks, seed=1234):
    rng = np.random.RandomState(seed)
    params = {k: v.detach() for k, v in model.named_parameters()}
    before, after = [], []
    for _ in range(n_tasks):
        task = sample_task(rng)
        xs, ys = sample_points(task, args.k_shot, rng)
        xq, yq = sample_points(task, 100, rng)
        params_req = {k: v.clone().requires_grad_() for k, v in params.items()}
        fast = adapt(params_req, xs, ys, 10, args.inner_lr)
        with torch.no_grad():
            before.append(loss_fn(functional_call(model, params, (xq,)), yq).item())
            after.append(loss_fn(functional_call(model, fast, (xq,)), yq).item())
    return float(np.mean(before)), float(np.mean(after))


rng = np.random.RandomState(0)
t0 = time.time()
running = []
for it in range(1, args.meta_iters + 1):
    task = sample_task(rng)
    xs, ys = sample_points(task, args.k_shot, rng)
    params = {k: v.detach().clone().requires_grad_() for k, v in model.named_parameters()}
    fast = adapt(params, xs, ys, args.inner_steps, args.inner_lr)
    with torch.no_grad():
        xq, yq = sample_points(task, 50, rng)
        running.append(loss_fn(functional_call(model, fast, (xq,)), yq).item())

    # Reptile: treat (theta - phi) as the meta-gradient and let the meta-optimizer apply it
    meta_opt.zero_grad()
    for name, p in model.named_parameters():
        p.grad = (p.detach() - fast[name].detach())
    meta_opt.step()

    if it % 50 == 0 or it == 1:
        print(f"meta-iter {it:4d}  post-adaptation query MSE (last 50 tasks) {np.mean(running[-50:]):.3f}")

pre, post = evaluate(args.eval_tasks)
print(f"held-out tasks: query MSE before adaptation {pre:.3f}, after 10 steps {post:.3f}  ({time.time() - t0:.1f}s)")
