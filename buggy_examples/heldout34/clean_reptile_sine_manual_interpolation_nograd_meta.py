"""
Meta-learning with Reptile (Nichol et al. 2018) on 1-D sine regression tasks (amplitude
U[0.1, 5], phase U[0, pi], 10-shot). Custom nn.Module 1 -> 64 -> 64 -> 1 tanh. For each task a
deepcopy of the meta-network is fine-tuned for 5 steps with a freshly created Adam optimizer
(lr 0.01, beta1 = 0, as in the Reptile paper); the meta-weights are then moved towards the
adapted weights, theta <- theta + eps (phi - theta), with eps linearly annealed from 1.0 to
0.05 over 300 meta-iterations. Evaluation fine-tunes for 20 steps on 20 held-out tasks.

Healthy control: this is the published Reptile recipe and it meta-learns a useful init.
Possible false alarm: the meta-network's parameters have requires_grad=False, never get a
.grad and are never passed to any optimizer (they are updated in place under no_grad);
a new optimizer is built for every task; the outer step size of 1.0 at the start looks like
an enormous learning rate; and the inner support loss is measured on a different task each
iteration, so it is noisy.

Measured (seed 0, 1 thread): held-out query MSE after 20 adaptation steps 1.76 before
meta-training -> 0.535 after; without adaptation 2.59 -> 2.34; inner support loss (running
mean) 1.24 -> 0.28.
"""
# traindebug-expect: clean
import copy
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

META_ITERS = 300
INNER_STEPS = 5
INNER_LR = 0.01
K_SHOT = 10
META_STEP_START, META_STEP_END = 1.0, 0.05


class SineNet(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.fc1 = nn.Linear(1, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


def sample_task(rng):
    amp, phase = rng.uniform(0.1, 5.0), rng.uniform(0, math.pi)
    def draw(n):
        x = rng.uniform(-5, 5, size=(n, 1)).astype(np.float32)
        return torch.from_numpy(x), torch.from_numpy((amp * np.sin(x + phase)).astype(np.float32))
    return draw


def finetune(net, x, y, steps, lr):
    learner = copy.deepcopy(net)
    opt = torch.optim.Adam(learner.parameters(), lr=lr, betas=(0.0, 0.999))
    for _ in range(steps):
        loss = nn.functional.mse_loss(learner(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return learner, loss.item()


meta_net = SineNet()
for p in meta_net.parameters():
    p.requires_grad_(False)


def evaluate(n_tasks=20, seed=2024):
    rng = np.random.RandomState(seed)
    pre, post = [], []
    for _ in range(n_tasks):
        draw = sample_task(rng)
        xs, ys = draw(K_SHOT)
        xq, yq = draw(100)
        learner = copy.deepcopy(meta_net).requires_grad_(True)
        adapted, _ = finetune(learner, xs, ys, 20, INNER_LR)
        with torch.no_grad():
            pre.append(nn.functional.mse_loss(meta_net(xq), yq).item())
            post.append(nn.functional.mse_loss(adapted(xq), yq).item())
    return np.mean(pre), np.mean(post)


rng = np.random.RandomState(0)
t0 = time.time()
pre0, post0 = evaluate()
print(f"before meta-training: held-out query MSE {pre0:.3f} (no adaptation), {post0:.3f} (20 adaptation steps)")
inner_losses = []
for it in range(1, META_ITERS + 1):
    draw = sample_task(rng)
    xs, ys = draw(K_SHOT)
    learner = copy.deepcopy(meta_net).requires_grad_(True)
    adapted, last_loss = finetune(learner, xs, ys, INNER_STEPS, INNER_LR)
    inner_losses.append(last_loss)
    frac = (it - 1) / (META_ITERS - 1)
    meta_step = META_STEP_START + frac * (META_STEP_END - META_STEP_START)
    with torch.no_grad():
        for p_meta, p_task in zip(meta_net.parameters(), adapted.parameters()):
            p_meta.add_(meta_step * (p_task - p_meta))
    if it % 50 == 0 or it == 1:
        print(f"meta-iter {it:4d}  meta step {meta_step:.3f}  inner support loss (last 50) {np.mean(inner_losses[-50:]):.3f}")

pre, post = evaluate()
print(f"after meta-training: held-out query MSE {pre:.3f} (no adaptation), {post:.3f} (20 adaptation steps)  ({time.time() - t0:.1f}s)")
