"""
Noise-conditional score network (NCSN-style) on a 2-D "two moons + ring" point set: an MLP takes
(x, log sigma) and predicts the score, parameterised as net(x, log sigma) / sigma, trained with
denoising score matching weighted by sigma^2 over 10 discrete noise levels. Adam lr 1e-3,
batch 128, 300 steps, functional training step, annealed-Langevin sanity sample at the end.

Seeded bug: the noise levels are built as torch.linspace(0.0, 1.0, 10), i.e. the smallest level
is exactly 0 (the author meant linspace(sigma_min, sigma_max) / a geometric ladder). Whenever a
sample draws that level, log(sigma) = -inf is fed to the network and the target -z/sigma is
infinite, so the loss is NaN from the first step and the parameters become NaN after the first
update.

Measured (seed 0, 1 thread): buggy: loss nan at step 0 and at the end (parameters nan).
Fixed copy (linspace(0.05, 1.0, 10)): final dsm loss 0.72 (finite throughout), Langevin samples with
std ~1.1 (data std 1).
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_circles, make_moons

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

moons, _ = make_moons(1500, noise=0.05, random_state=0)
ring, _ = make_circles(1000, noise=0.03, factor=0.5, random_state=0)
data = np.concatenate([moons - [0.5, 0.25], 1.5 * ring[:500] + [0.0, 2.5]])
data = (data - data.mean(0)) / data.std(0)
data = torch.tensor(data, dtype=torch.float32)

sigmas = torch.linspace(0.0, 1.0, 10)


class ScoreNet(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(3, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x, sigma):
        h = torch.cat([x, torch.log(sigma)[:, None]], dim=1)
        return self.net(h) / sigma[:, None]


def dsm_loss(model, x):
    level = torch.randint(0, len(sigmas), (x.shape[0],))
    sigma = sigmas[level]
    z = torch.randn_like(x)
    x_noisy = x + sigma[:, None] * z
    target = -z / sigma[:, None]
    score = model(x_noisy, sigma)
    return 0.5 * ((score - target) ** 2).sum(1).mul(sigma ** 2).mean()


@torch.no_grad()
def annealed_langevin(model, n=500, steps_per_level=20, eps=2e-3):
    x = torch.randn(n, 2) * sigmas.max()
    for s in sigmas.flip(0):
        alpha = eps * (s / sigmas[1]) ** 2
        for _ in range(steps_per_level):
            sig = torch.full((n,), float(s))
            x = x + 0.5 * alpha * model(x, sig) + alpha.sqrt() * torch.randn_like(x)
    return x


model = ScoreNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(300):
    idx = torch.randint(0, len(data), (128,))
    loss = dsm_loss(model, data[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 299:
        print(f"step {step:3d} dsm loss {loss.item():.4f}")

samples = annealed_langevin(model)
print(f"sample mean {samples.mean(0).tolist()} sample std {samples.std(0).tolist()}")
print(f"final dsm loss {loss.item():.4f}")
