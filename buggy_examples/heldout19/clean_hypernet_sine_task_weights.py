"""Clean control: a hypernetwork generates all weights of a small target MLP from a task
descriptor (amplitude/phase/frequency of a sine task); the target net is applied with
F.linear using these generated, non-leaf weight tensors. Patterns a naive detector might
flag: the target network owns no nn.Parameters at all (its "weights" are activations that
change every batch), the hypernet's output layer is deliberately initialised ~100x smaller
than default (hyperfan-style so the generated net starts near identity-scale), and the
generated weight tensors differ per task inside one batch (bmm), which is not batch mixing.
Measured healthy numbers (seed 0, 300 Adam steps): batch MSE 0.237 -> 0.009,
held-out-task MSE 0.020 (target variance 0.180).
"""
# traindebug-expect: clean
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

TARGET_SHAPES = [(1, 32), (32, 32), (32, 1)]  # (in, out) of the generated MLP


class HyperNet(nn.Module):
    def __init__(self, d_task=3, hidden=64):
        super().__init__()
        self.sizes = [i * o + o for i, o in TARGET_SHAPES]
        self.trunk = nn.Sequential(nn.Linear(d_task, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.out = nn.Linear(hidden, sum(self.sizes))
        with torch.no_grad():
            self.out.weight.mul_(0.01)
            # bias holds a fan-in scaled "base" network so the generated net is sane at step 0
            chunks = []
            for i, o in TARGET_SHAPES:
                chunks.append(torch.randn(o * i) / math.sqrt(i))
                chunks.append(torch.zeros(o))
            self.out.bias.copy_(torch.cat(chunks))

    def forward(self, task):               # task: (T, d_task)
        flat = self.out(self.trunk(task))  # (T, total)
        params, off = [], 0
        for (i, o), n in zip(TARGET_SHAPES, self.sizes):
            blk = flat[:, off:off + n]
            params.append((blk[:, :i * o].view(-1, o, i), blk[:, i * o:]))
            off += n
        return params


def target_forward(params, x):             # x: (T, N, 1)
    h = x
    for k, (W, b) in enumerate(params):
        h = torch.bmm(h, W.transpose(1, 2)) + b[:, None, :]
        if k < len(params) - 1:
            h = torch.tanh(h)
    return h


def sample_tasks(n, g):
    amp = torch.rand(n, generator=g) * 0.9 + 0.1
    phase = torch.rand(n, generator=g) * math.pi
    freq = torch.rand(n, generator=g) * 1.0 + 0.5
    return torch.stack([amp, phase, freq], 1)


def sample_points(tasks, n_pts, g):
    x = torch.rand(len(tasks), n_pts, 1, generator=g) * 10 - 5
    amp, phase, freq = tasks[:, 0, None, None], tasks[:, 1, None, None], tasks[:, 2, None, None]
    return x, amp * torch.sin(freq * x + phase)


def encode(tasks):
    # sin/cos of phase avoids the wrap-around discontinuity
    return torch.stack([tasks[:, 0], torch.sin(tasks[:, 1]), torch.cos(tasks[:, 1]), tasks[:, 2]], 1)


g = torch.Generator().manual_seed(0)
hyper = HyperNet(d_task=4)
opt = torch.optim.Adam(hyper.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300, eta_min=2e-4)

for step in range(1, 301):
    tasks = sample_tasks(16, g)
    x, y = sample_points(tasks, 32, g)
    pred = target_forward(hyper(encode(tasks)), x / 5.0)
    loss = F.mse_loss(pred, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step == 1 or step % 100 == 0:
        print(f"step {step:3d}  mse {loss.item():.4f}")

g_test = torch.Generator().manual_seed(123)
with torch.no_grad():
    tasks = sample_tasks(64, g_test)
    x, y = sample_points(tasks, 64, g_test)
    test_mse = F.mse_loss(target_forward(hyper(encode(tasks)), x / 5.0), y).item()
print(f"held-out tasks mse {test_mse:.4f}  (target var {y.var().item():.3f})")
