"""
Clean control.  Patterns that a naive checker might flag:
  * the training loss is a custom ``torch.autograd.Function`` (numerically
    stable log-cosh) with a hand-written backward; the backward is correct
    (d/dx log cosh x = tanh x) and agrees with finite differences;
  * the encoder pools over the *time* axis with a learned softmax attention
    (``softmax(dim=1)`` over positions, plus a padding mask), i.e. outputs
    legitimately mix information across positions of the same sample - but
    never across samples of the batch;
  * Adamax with a OneCycle schedule, so the learning rate starts ~25x below
    its peak and is annealed to ~1e-7 by the final step.

Measured (seed 0, 300 Adamax steps): mean train log-cosh loss 0.388 in
epoch 1 -> 0.016 in epoch 10; test MSE on the standardised target 1.04
after epoch 1 -> 0.047 (epoch 5) -> 0.035 at the end (R^2 = 0.967).
torch.autograd.gradcheck on LogCoshLoss passes (checked separately).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LN2 = math.log(2.0)


class LogCoshLoss(torch.autograd.Function):
    """mean(log(cosh(pred - target))), stable for large residuals."""

    @staticmethod
    def forward(ctx, pred, target):
        r = pred - target
        ctx.save_for_backward(r)
        a = r.abs()
        return (a + F.softplus(-2.0 * a) - LN2).mean()

    @staticmethod
    def backward(ctx, grad_out):
        (r,) = ctx.saved_tensors
        g = grad_out * torch.tanh(r) / r.numel()
        return g, -g


def log_cosh(pred, target):
    return LogCoshLoss.apply(pred, target)


def make_bumps(n, max_len, rng):
    """Variable-length noisy traces with one Gaussian bump; target = bump area."""
    x = np.zeros((n, max_len), dtype=np.float32)
    lengths = rng.integers(max_len // 2, max_len + 1, size=n)
    y = np.zeros(n, dtype=np.float32)
    t = np.arange(max_len)
    for i in range(n):
        L = lengths[i]
        amp = rng.uniform(0.5, 2.0)
        width = rng.uniform(1.5, 5.0)
        centre = rng.uniform(6, L - 6)
        x[i, :L] = amp * np.exp(-0.5 * ((t[:L] - centre) / width) ** 2) + rng.normal(0, 0.15, L)
        y[i] = amp * width * math.sqrt(2 * math.pi)
    return torch.from_numpy(x), torch.from_numpy(lengths), torch.from_numpy(y)


class AttnPoolRegressor(nn.Module):
    def __init__(self, channels=32):
        super().__init__()
        self.conv1 = nn.Conv1d(1, channels, 7, padding=3)
        self.conv2 = nn.Conv1d(channels, channels, 5, padding=2)
        self.score = nn.Linear(channels, 1)
        self.value = nn.Linear(channels, channels)
        self.head = nn.Sequential(nn.Linear(channels, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, x, lengths):
        h = F.gelu(self.conv1(x.unsqueeze(1)))
        h = F.gelu(self.conv2(h)).transpose(1, 2)              # (B, T, C)
        pad = torch.arange(x.size(1))[None, :] >= lengths[:, None]
        scores = self.score(h).squeeze(-1).masked_fill(pad, float("-inf"))
        w = torch.softmax(scores, dim=1)                       # over positions
        pooled = torch.einsum("bt,btc->bc", w, self.value(h))
        return self.head(pooled).squeeze(-1)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    x_tr, len_tr, y_tr = make_bumps(3000, 64, rng)
    x_te, len_te, y_te = make_bumps(600, 64, rng)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    y_tr, y_te = (y_tr - y_mu) / y_sd, (y_te - y_mu) / y_sd

    model = AttnPoolRegressor()
    epochs, bs = 10, 100
    steps_per_epoch = math.ceil(len(x_tr) / bs)
    opt = torch.optim.Adamax(model.parameters(), lr=4e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, epochs=epochs, steps_per_epoch=steps_per_epoch)

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x_tr))
        run = []
        for s in range(0, len(perm), bs):
            idx = perm[s:s + bs]
            loss = log_cosh(model(x_tr[idx], len_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            run.append(loss.item())
        if epoch in (0, 4, epochs - 1):
            model.eval()
            with torch.no_grad():
                mse = F.mse_loss(model(x_te, len_te), y_te).item()
            print(f"epoch {epoch + 1:2d}  lr {sched.get_last_lr()[0]:.2e}  "
                  f"train_logcosh {np.mean(run):.4f}  test_mse {mse:.4f}  r2 {1 - mse / y_te.var(unbiased=False).item():.3f}")


if __name__ == "__main__":
    main()
