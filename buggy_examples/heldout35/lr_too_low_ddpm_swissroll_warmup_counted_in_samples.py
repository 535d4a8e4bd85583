"""
Small DDPM on the 2-D swiss roll (make_swiss_roll, x/z coordinates / 10; 5000 train, 1000
test points): custom nn.Module epsilon-predictor (2-D input projection + sinusoidal time
embedding, three SiLU layers of width 96), T = 100 linear betas, epsilon-MSE loss, AdamW
(peak lr 5e-4, wd 1e-4), DataLoader batch 128, 8 epochs (312 steps), LambdaLR schedule with
10% linear warm-up followed by cosine decay, ancestral sampling at the end.

Seeded bug: the schedule length is computed as total_steps = EPOCHS * len(train_ds), i.e.
in samples instead of optimizer steps (len(loader)). The warm-up therefore lasts 4000 "steps"
although the run only has 312, so the learning rate never gets past 8% of its peak
(5e-6 -> 3.9e-5) and the model has barely started to learn when training ends.

Measured (seed 0, 1 thread): buggy: test eps-MSE 1.04 (epoch 0) -> 0.86, train MSE 0.88,
samples-to-data mean nearest-neighbour distance 2.77. Fixed copy (total_steps = EPOCHS *
len(loader)): test eps-MSE 0.69 -> 0.435, train MSE 0.43, sample NN distance 0.19.
"""
# traindebug-expect: lr_too_low
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_swiss_roll
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

T = 100
EPOCHS = 8
BATCH = 128
PEAK_LR = 5e-4
WARMUP_FRAC = 0.1

betas = torch.linspace(1e-4, 0.05, T)
alphas = 1.0 - betas
alpha_bar = torch.cumprod(alphas, dim=0)


def time_embedding(t, dim=32):
    half = dim // 2
    freqs = torch.exp(-math.log(1000.0) * torch.arange(half) / half)
    ang = t.float()[:, None] * freqs[None]
    return torch.cat([ang.sin(), ang.cos()], dim=1)


class EpsNet(nn.Module):
    def __init__(self, hidden=96, tdim=32):
        super().__init__()
        self.tdim = tdim
        self.inp = nn.Linear(2, hidden)
        self.temb = nn.Linear(tdim, hidden)
        self.body = nn.Sequential(nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                  nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 2))

    def forward(self, x, t):
        return self.body(self.inp(x) + self.temb(time_embedding(t, self.tdim)))


def diffusion_loss(model, x0):
    t = torch.randint(0, T, (x0.shape[0],))
    eps = torch.randn_like(x0)
    ab = alpha_bar[t][:, None]
    xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
    return F.mse_loss(model(xt, t), eps)


@torch.no_grad()
def sample(model, n):
    x = torch.randn(n, 2)
    for t in reversed(range(T)):
        tt = torch.full((n,), t, dtype=torch.long)
        eps = model(x, tt)
        x = (x - betas[t] / (1 - alpha_bar[t]).sqrt() * eps) / alphas[t].sqrt()
        if t > 0:
            x = x + betas[t].sqrt() * torch.randn_like(x)
    return x


pts, _ = make_swiss_roll(6000, noise=0.3, random_state=0)
pts = pts[:, [0, 2]] / 10.0
data = torch.tensor(pts, dtype=torch.float32)
train_ds = TensorDataset(data[:5000])
test_x = data[5000:]
loader = DataLoader(train_ds, batch_size=BATCH, shuffle=True, drop_last=True)

model = EpsNet()
opt = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, weight_decay=1e-4)
total_steps = EPOCHS * len(train_ds)
warmup_steps = int(WARMUP_FRAC * total_steps)


def lr_lambda(step):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return 0.5 * (1 + math.cos(math.pi * progress))


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)

step = 0
for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for (xb,) in loader:
        loss = diffusion_loss(model, xb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        running += loss.item()
        step += 1
    if epoch % 2 == 0 or epoch == EPOCHS - 1:
        model.eval()
        torch.manual_seed(10_000)
        with torch.no_grad():
            test_loss = sum(diffusion_loss(model, test_x).item() for _ in range(2)) / 2
        print(f"epoch {epoch:2d} step {step:3d} lr {sched.get_last_lr()[0]:.2e} "
              f"train_mse {running / len(loader):.4f} test_mse {test_loss:.4f}")

torch.manual_seed(1)
xs = sample(model, 1000)
nn_dist = torch.cdist(xs, test_x).min(dim=1).values.mean()
print(f"final test eps-MSE {test_loss:.4f}, sample->data mean NN distance {nn_dist:.4f}")
