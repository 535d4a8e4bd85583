"""First-order meta-learning (Reptile) on generated sine-regression tasks with a
functional-style MLP (explicit weight tensors, F.linear): inner SGD on a cloned
copy of the meta-parameters, then an annealed outer interpolation step.

Seeded bug (missing_zero_grad): the inner-loop helper `adapt` never calls
opt.zero_grad(). The fast weights are fresh clones for each task, so the first
inner step is correct, but every later inner step adds its gradient onto the
previous ones, so step k moves along the sum of k stale gradients.

Measured (seed 0, 250 outer steps x 5 inner steps, 10-shot tasks, query MSE on
50 held-out tasks): buggy final query MSE after adaptation 3.182 (3.194 before
adaptation, so adaptation is useless); with opt.zero_grad() in the inner loop
the same script reaches 2.376 after adaptation (3.220 before).
"""
# traindebug-expect: missing_zero_grad
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.RandomState(0)

HIDDEN = 40
INNER_STEPS, INNER_LR, INNER_BATCH = 5, 0.02, 10
OUTER_STEPS, OUTER_LR = 250, 1.0
EVAL_TASKS = 50


def sample_task():
    amp, phase = rng.uniform(0.1, 5.0), rng.uniform(0, math.pi)
    return lambda x: amp * np.sin(x + phase)


def task_batch(f, n):
    x = rng.uniform(-5, 5, size=(n, 1)).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(f(x).astype(np.float32))


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(torch.randn(fan_out, fan_in) / math.sqrt(fan_in))
        params.append(torch.zeros(fan_out))
    return params


def forward(params, x):
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = F.linear(h, params[2 * i], params[2 * i + 1])
        if i < n_layers - 1:
            h = torch.tanh(h)
    return h


def adapt(meta_params, x, y, steps):
    fast = [p.detach().clone().requires_grad_(True) for p in meta_params]
    opt = torch.optim.SGD(fast, lr=INNER_LR)
    for _ in range(steps):
        loss = F.mse_loss(forward(fast, x), y)
        loss.backward()
        opt.step()
    return fast


def evaluate(meta_params, steps=INNER_STEPS):
    eval_rng_state = rng.get_state()
    rng.seed(1234)
    before, after = [], []
    for _ in range(EVAL_TASKS):
        f = sample_task()
        xs, ys = task_batch(f, INNER_BATCH)
        xq, yq = task_batch(f, 100)
        with torch.no_grad():
            before.append(F.mse_loss(forward(meta_params, xq), yq).item())
        fast = adapt(meta_params, xs, ys, steps)
        with torch.no_grad():
            after.append(F.mse_loss(forward(fast, xq), yq).item())
    rng.set_state(eval_rng_state)
    return float(np.mean(before)), float(np.mean(after))


def main():
    meta = init_params([1, HIDDEN, HIDDEN, 1])
    print("init: query MSE before/after %d-shot adaptation: %.3f / %.3f" % ((INNER_BATCH,) + evaluate(meta)))
    for it in range(1, OUTER_STEPS + 1):
        f = sample_task()
        x, y = task_batch(f, INNER_BATCH)
        fast = adapt(meta, x, y, INNER_STEPS)
        frac = 1.0 - (it - 1) / OUTER_STEPS  # linearly annealed meta step size
        with torch.no_grad():
            for p, q in zip(meta, fast):
                p.add_(OUTER_LR * frac * (q - p))
        if it % 50 == 0:
            b, a = evaluate(meta)
            print(f"outer {it:4d}  query MSE before adapt {b:.3f}  after adapt {a:.3f}")
    b, a = evaluate(meta)
    print(f"final: query MSE after {INNER_STEPS} adaptation steps {a:.3f} (before {b:.3f})")


if __name__ == "__main__":
    main()
