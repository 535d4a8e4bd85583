"""GRU multi-step forecaster on generated two-sine series (predict the next
8 values from 32), with an auxiliary "frequency regime" classification head.
Adagrad, gradient-norm clipping, gradient accumulation over 3 micro-batches.

Healthy control. Patterns that a naive detector might flag:
  * Deliberate gradient accumulation: .grad is non-zero before backward() on
    2 of every 3 micro-batches, and with 44 micro-batches per epoch the last
    group of each epoch holds only 2 (its loss is scaled by the real group
    size, and the step is still taken).
  * The auxiliary regime_head only gets a loss on every other optimizer step,
    so its .grad is None (zero_grad(set_to_none=True)) on half the steps and
    its parameters change only on those steps.
Measured (180 optimizer steps): forecast MSE 0.60 -> 0.12 train, test MSE
0.55 -> 0.11 (target variance 0.62); auxiliary regime accuracy 0.38 -> 1.00.
"""
# traindebug-expect: clean
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SEQ_LEN, HORIZON, N_REGIMES = 32, 8, 3


def make_series(n, seed):
    """Noisy sums of two sines; the dominant frequency band ("regime") is a
    side label used by an auxiliary head."""
    g = torch.Generator().manual_seed(seed)
    regime = torch.randint(0, N_REGIMES, (n,), generator=g)
    base_f = torch.tensor([0.05, 0.11, 0.19])[regime]
    f1 = base_f * (0.9 + 0.2 * torch.rand(n, generator=g))
    f2 = 2.3 * f1
    ph = 2 * math.pi * torch.rand(n, 2, generator=g)
    t = torch.arange(SEQ_LEN + HORIZON).float()
    s = (torch.sin(2 * math.pi * f1[:, None] * t + ph[:, :1])
         + 0.5 * torch.sin(2 * math.pi * f2[:, None] * t + ph[:, 1:]))
    s = s + 0.05 * torch.randn(s.shape, generator=g)
    return s[:, :SEQ_LEN, None], s[:, SEQ_LEN:], regime


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.forecast = nn.Linear(hidden, HORIZON)
        self.regime_head = nn.Linear(hidden, N_REGIMES)    # auxiliary task

    def forward(self, x):
        _, h = self.gru(x)
        return h[-1]


Xtr, Ytr, Rtr = make_series(1400, seed=0)
Xte, Yte, Rte = make_series(500, seed=1)
model = Forecaster()
opt = torch.optim.Adagrad(model.parameters(), lr=0.06)

MICRO_BS, ACCUM = 32, 3            # effective batch 96; 44 micro-batches per epoch
n_micro = math.ceil(len(Xtr) / MICRO_BS)
g = torch.Generator().manual_seed(0)
opt_steps = 0
for epoch in range(12):
    model.train()
    perm = torch.randperm(len(Xtr), generator=g)
    opt.zero_grad(set_to_none=True)
    group_start = 0
    fc_sum = 0.0
    for m in range(n_micro):
        idx = perm[m * MICRO_BS:(m + 1) * MICRO_BS]
        h = model(Xtr[idx])
        loss = F.mse_loss(model.forecast(h), Ytr[idx])
        fc_sum += loss.item()
        # auxiliary regime classification only on every other optimizer step
        if opt_steps % 2 == 0:
            loss = loss + 0.1 * F.cross_entropy(model.regime_head(h), Rtr[idx])
        # the last group of an epoch may be shorter than ACCUM: scale by its real size
        group_size = min(ACCUM, n_micro - group_start)
        (loss / group_size).backward()
        if m - group_start + 1 == group_size:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            opt_steps += 1
            group_start = m + 1
    if epoch % 3 == 0 or epoch == 11:
        model.eval()
        with torch.no_grad():
            h = model(Xte)
            te = F.mse_loss(model.forecast(h), Yte).item()
            racc = (model.regime_head(h).argmax(1) == Rte).float().mean().item()
        print(f"epoch {epoch:2d}  opt steps {opt_steps:3d}  train mse {fc_sum / n_micro:.4f}  "
              f"test mse {te:.4f}  regime acc {racc:.3f}")
print(f"forecast target variance: {Yte.var().item():.4f}")
