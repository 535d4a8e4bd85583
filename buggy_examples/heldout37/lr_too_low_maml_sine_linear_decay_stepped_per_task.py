"""MAML (second order) on generated sine-regression tasks, torch.func.functional_call style.

Tasks: y = A sin(x + phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]; K=10 support
and 10 query points per task.  Model: MLP 1-40-40-1 (ReLU) as an nn.Module; the inner loop
takes one SGD step (alpha 0.01) on the support set with torch.autograd.grad
(create_graph=True) and evaluates the adapted weights on the query set through
torch.func.functional_call.  Meta-optimiser: Adam (lr 1e-2), meta-batch of 8 tasks,
300 meta-iterations, linear decay of the meta learning rate to 0 over the run (LambdaLR).
Evaluation: post-adaptation query MSE on 200 fresh tasks.

Seeded bug: `sched.step()` sits inside the per-task loop (next to the query-loss
accumulation) instead of once per meta-iteration, so the schedule advances 8x too fast:
the linear decay reaches 0 after 300 / 8 ~ 38 meta-iterations and the remaining ~260
meta-updates are taken with a learning rate of exactly 0.  Realistic: the scheduler call
was placed in the innermost loop, the same mistake as stepping an epoch schedule per batch.

Measured (seed 0, 1 thread, 200 fresh evaluation tasks): post-adaptation query MSE before
meta-training 4.09; buggy 3.31 after 300 meta-iterations (lr is 0 from iteration ~38 on);
fixed copy (sched.step() once per meta-iteration) 1.70.  CPU time ~7-10 s.
"""
# traindebug-expect: lr_too_low
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

torch.set_num_threads(1)

parser = argparse.ArgumentParser()
parser.add_argument("--meta-iters", type=int, default=300)
parser.add_argument("--meta-batch", type=int, default=8)
parser.add_argument("--k-shot", type=int, default=10)
parser.add_argument("--inner-lr", type=float, default=0.01)
parser.add_argument("--meta-lr", type=float, default=1e-2)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
torch.manual_seed(args.seed)


def sample_task(k):
    amp = torch.empty(1).uniform_(0.1, 5.0)
    phase = torch.empty(1).uniform_(0.0, math.pi)
    xs = torch.empty(2 * k, 1).uniform_(-5.0, 5.0)
    ys = amp * torch.sin(xs + phase)
    return xs[:k], ys[:k], xs[k:], ys[k:]


class SineNet(nn.Module):
    def __init__(self, hidden=40):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


def adapt(model, params, xs, ys, lr, steps=1, create_graph=True):
    for _ in range(steps):
        loss = F.mse_loss(functional_call(model, params, (xs,)), ys)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=create_graph)
        params = {n: p - lr * g for (n, p), g in zip(params.items(), grads)}
    return params


model = SineNet()
meta_opt = torch.optim.Adam(model.parameters(), lr=args.meta_lr)
sched = torch.optim.lr_scheduler.LambdaLR(
    meta_opt, lambda it: max(0.0, 1.0 - it / args.meta_iters))


def evaluate(n_tasks=200):
    torch.manual_seed(1234)
    total = 0.0
    for _ in range(n_tasks):
        xs, ys, xq, yq = sample_task(args.k_shot)
        params = adapt(model, dict(model.named_parameters()), xs, ys, args.inner_lr,
                       create_graph=False)
        with torch.no_grad():
            total += F.mse_loss(functional_call(model, params, (xq,)), yq).item()
    return total / n_tasks


t0 = time.process_time()
print(f"before meta-training: post-adaptation MSE {evaluate():.3f}")
torch.manual_seed(args.seed + 1)
for it in range(args.meta_iters):
    meta_opt.zero_grad()
    meta_loss = 0.0
    for _ in range(args.meta_batch):
        xs, ys, xq, yq = sample_task(args.k_shot)
        fast = adapt(model, dict(model.named_parameters()), xs, ys, args.inner_lr)
        meta_loss = meta_loss + F.mse_loss(functional_call(model, fast, (xq,)), yq)
        sched.step()
    meta_loss = meta_loss / args.meta_batch
    meta_loss.backward()
    meta_opt.step()
    if it % 50 == 0 or it == args.meta_iters - 1:
        print(f"meta-iter {it:4d}  query MSE {meta_loss.item():.3f}  "
              f"lr {meta_opt.param_groups[0]['lr']:.2e}")

print(f"after meta-training: post-adaptation MSE {evaluate():.3f}")
print(f"cpu time {time.process_time() - t0:.1f}s")
