"""
Second-order MAML (Finn et al. 2017) for few-shot sine regression (amplitude 0.1-5, phase
0-pi, 10-shot): 1 -> 40 -> 40 -> 1 ReLU MLP, inner loop of one plain gradient step (lr 0.02)
written with torch.func.functional_call and torch.autograd.grad(create_graph=True), outer
Adam lr 3e-3 over meta-batches of 4 tasks, 300 meta-steps; evaluation adapts 5 inner steps on
50 fresh tasks.

Healthy control: correct MAML; the meta-parameters are only updated by the outer optimizer.
Possible false alarm: the adapted "fast" weights are non-leaf tensors updated by hand (no
optimizer, no zero_grad), the graph goes through second-order gradients, and the per-step
meta-loss jumps around a lot (it depends on the randomly drawn amplitudes, 0.8 to 5 between
neighbouring logs), which can look like lr_too_high / missing_zero_grad / wrong_gradient.

Measured (seed 0, 1 thread): before meta-training query MSE 4.70 (pre-adaptation) / 4.41 (after 5
adaptation steps); after meta-training 3.93 pre-adaptation and 1.43 after adaptation. Runtime
~11 s CPU.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

META_STEPS = 300
META_BATCH = 4
K_SHOT = 10
INNER_LR = 0.02
INNER_STEPS = 1
EVAL_INNER_STEPS = 5


def sample_task():
    amp = rng.uniform(0.1, 5.0)
    phase = rng.uniform(0, math.pi)

    def draw(n):
        x = rng.uniform(-5, 5, size=(n, 1))
        return torch.tensor(x, dtype=torch.float32), torch.tensor(amp * np.sin(x + phase), dtype=torch.float32)
    return draw


net = nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1))
meta_params = dict(net.named_parameters())
meta_opt = torch.optim.Adam(net.parameters(), lr=3e-3)


def adapt(params, x, y, steps, create_graph):
    for _ in range(steps):
        loss = F.mse_loss(functional_call(net, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=create_graph)
        params = {name: p - INNER_LR * g for (name, p), g in zip(params.items(), grads)}
    return params


def evaluate(n_tasks=50):
    pre, post = [], []
    eval_rng_state = rng.bit_generator.state
    for _ in range(n_tasks):
        draw = sample_task()
        xs, ys = draw(K_SHOT)
        xq, yq = draw(100)
        with torch.no_grad():
            pre.append(F.mse_loss(net(xq), yq).item())
        fast = adapt(dict(net.named_parameters()), xs, ys, EVAL_INNER_STEPS, create_graph=False)
        with torch.no_grad():
            post.append(F.mse_loss(functional_call(net, fast, (xq,)), yq).item())
    rng.bit_generator.state = eval_rng_state
    return float(np.mean(pre)), float(np.mean(post))


pre0, post0 = evaluate()
print(f"before meta-training: query mse pre-adapt {pre0:.3f} post-adapt {post0:.3f}")

for step in range(1, META_STEPS + 1):
    meta_loss = 0.0
    for _ in range(META_BATCH):
        draw = sample_task()
        xs, ys = draw(K_SHOT)
        xq, yq = draw(K_SHOT)
        fast = adapt(meta_params, xs, ys, INNER_STEPS, create_graph=True)
        meta_loss = meta_loss + F.mse_loss(functional_call(net, fast, (xq,)), yq)
    meta_loss = meta_loss / META_BATCH
    meta_opt.zero_grad()
    meta_loss.backward()
    meta_opt.step()
    if step % 50 == 0:
        print(f"meta-step {step:4d} meta_loss {meta_loss.item():.4f}")

pre, post = evaluate()
print(f"final: query mse pre-adapt {pre:.3f} post-adapt ({EVAL_INNER_STEPS} steps) {post:.3f}")
