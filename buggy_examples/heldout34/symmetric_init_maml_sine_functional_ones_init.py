"""
Second-order MAML (Finn et al. 2017) on 1-D sine regression tasks (amplitude U[0.1, 5], phase
U[0, pi], 10-shot support and query sets). Purely functional model: a list of explicit weight
and bias tensors for a 1 -> 40 -> 40 -> 1 ReLU MLP, applied with F.linear; one inner SGD step
(lr 0.01) with create_graph=True, meta-batch of 4 tasks, Adam meta-optimizer lr 3e-3, 300
meta-iterations. Evaluation adapts for 5 steps on 100 held-out tasks.

Seeded bug: init_params builds the weights with torch.ones(fan_out, fan_in) * sqrt(2 / fan_in)
instead of torch.randn(...) * sqrt(2 / fan_in) (He-normal) - a one-word slip. Every hidden
unit of a layer starts with the same incoming weights and zero bias, so all units compute the
same function, receive identical gradients in both the inner and the outer loop, and stay
identical forever: the 40-wide network behaves like a chain of single units and cannot
represent the family of sines, no matter what initialization MAML learns.

Measured (seed 0, 1 thread): held-out 10-shot tasks, query MSE after 5 adaptation steps:
buggy 7.39 (before adaptation 6007), fixed copy (torch.randn) 4.61 (before adaptation 4.18);
final meta-train query MSE 4.74 vs 3.75.
"""
# traindebug-expect: symmetric_init
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

LAYER_SIZES = [1, 40, 40, 1]
META_BATCH = 4
K_SHOT = 10
INNER_LR = 0.01
INNER_STEPS = 1
META_LR = 3e-3
META_ITERS = 300


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.ones(fan_out, fan_in) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = F.linear(h, params[2 * i], params[2 * i + 1])
        if i < n_layers - 1:
            h = F.relu(h)
    return h


def sample_batch(rng, n_tasks, n_support, n_query):
    amp = rng.uniform(0.1, 5.0, size=(n_tasks, 1, 1))
    phase = rng.uniform(0.0, np.pi, size=(n_tasks, 1, 1))
    xs = rng.uniform(-5, 5, size=(n_tasks, n_support, 1))
    xq = rng.uniform(-5, 5, size=(n_tasks, n_query, 1))
    f = lambda x: amp * np.sin(x + phase)
    t = lambda a: torch.tensor(a, dtype=torch.float32)
    return t(xs), t(f(xs)), t(xq), t(f(xq))


def inner_adapt(params, x, y, steps, create_graph):
    fast = list(params)
    for _ in range(steps):
        loss = F.mse_loss(forward(fast, x), y)
        grads = torch.autograd.grad(loss, fast, create_graph=create_graph)
        fast = [p - INNER_LR * g for p, g in zip(fast, grads)]
    return fast


params = init_params(LAYER_SIZES)
meta_opt = torch.optim.Adam(params, lr=META_LR)
rng = np.random.RandomState(0)

t0 = time.time()
for it in range(1, META_ITERS + 1):
    xs, ys, xq, yq = sample_batch(rng, META_BATCH, K_SHOT, K_SHOT)
    meta_loss = 0.0
    for i in range(META_BATCH):
        fast = inner_adapt(params, xs[i], ys[i], INNER_STEPS, create_graph=True)
        meta_loss = meta_loss + F.mse_loss(forward(fast, xq[i]), yq[i])
    meta_loss = meta_loss / META_BATCH
    meta_opt.zero_grad()
    meta_loss.backward()
    meta_opt.step()
    if it % 50 == 0 or it == 1:
        print(f"iter {it:4d}  meta-train query MSE {meta_loss.item():.3f}")

eval_rng = np.random.RandomState(999)
xs, ys, xq, yq = sample_batch(eval_rng, 100, K_SHOT, 100)
pre, post = [], []
for i in range(100):
    fast = inner_adapt(params, xs[i], ys[i], 5, create_graph=False)
    with torch.no_grad():
        pre.append(F.mse_loss(forward(params, xq[i]), yq[i]).item())
        post.append(F.mse_loss(forward(fast, xq[i]), yq[i]).item())
print(f"held-out 10-shot tasks: MSE before adaptation {np.mean(pre):.3f}, after 5 steps {np.mean(post):.3f}  ({time.time() - t0:.1f}s)")
