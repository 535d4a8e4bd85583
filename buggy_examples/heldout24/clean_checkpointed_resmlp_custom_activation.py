"""Healthy control: residual MLP regressor on sklearn make_friedman1 (standardised inputs and
target) with AdamW + OneCycleLR, 300 steps.

Patterns that may fool a naive detector: every residual block is run through
torch.utils.checkpoint (use_reentrant=False) in training, so its forward is executed twice
(once more during backward) and forward hooks fire twice per step; the activation is a custom
torch.autograd.Function (tanh-approximation GELU) with a hand-written backward, which is correct
(gradcheck is asserted in the script); the second Linear of each block is zero-initialised
(a standard residual trick, not symmetric init: the blocks still train). The model runs
without checkpointing in eval mode.

Measured (seed 0): train MSE 0.017, test MSE 0.022 on the standardised target (R^2 ~0.98).
"""
# traindebug-expect: clean
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

_C = math.sqrt(2.0 / math.pi)


class TanhGELU(torch.autograd.Function):
    """GELU (tanh approximation) with a hand-written backward that recomputes from x only."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        inner = _C * (x + 0.044715 * x.pow(3))
        return 0.5 * x * (1.0 + torch.tanh(inner))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        inner = _C * (x + 0.044715 * x.pow(3))
        t = torch.tanh(inner)
        d_inner = _C * (1.0 + 3 * 0.044715 * x.pow(2))
        grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner
        return grad_out * grad


class ResBlock(nn.Module):
    def __init__(self, d, expansion=4):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, expansion * d)
        self.fc2 = nn.Linear(expansion * d, d)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.fc2(TanhGELU.apply(self.fc1(self.norm(x))))


class ResMLP(nn.Module):
    def __init__(self, d_in, width=64, depth=3, use_checkpoint=True):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(ResBlock(width) for _ in range(depth))
        self.head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 1))
        self.use_checkpoint = use_checkpoint

    def forward(self, x):
        h = self.stem(x)
        for blk in self.blocks:
            if self.use_checkpoint and self.training:
                h = checkpoint(blk, h, use_reentrant=False)
            else:
                h = blk(h)
        return self.head(h).squeeze(-1)


def main():
    X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    ymu, ysd = ytr.mean(), ytr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    Xtr, Xte = f((Xtr - mu) / sd), f((Xte - mu) / sd)
    ytr, yte = f((ytr - ymu) / ysd), f((yte - ymu) / ysd)

    # sanity check of the hand-written backward on a few random points
    xt = torch.randn(6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(TanhGELU.apply, (xt,))

    model = ResMLP(Xtr.shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=300)
    g = torch.Generator().manual_seed(0)
    for step in range(1, 301):
        model.train()
        idx = torch.randint(0, len(Xtr), (64,), generator=g)
        loss = F.mse_loss(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 75 == 0:
            model.eval()
            with torch.no_grad():
                te = F.mse_loss(model(Xte), yte).item()
            print(f"step {step} train_mse {loss.item():.4f} test_mse {te:.4f} (standardised target, R2 {1 - te:.3f})")


if __name__ == "__main__":
    main()
