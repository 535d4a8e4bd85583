"""
RealNVP normalizing flow on 2-D two-moons data (make_moons, noise 0.05, standardised): 6 affine
coupling layers (binary checkerboard masks, 2x48 ReLU MLP for scale/shift, tanh-bounded log
scale, zero-initialised output), standard-normal base, maximum likelihood, Adam lr 3e-3 with
cosine decay, batch 128, 200 steps.

Seeded bug: the mask for every layer is built with parity=n_layers % 2 instead of the loop index
i % 2 (a one-identifier typo). All six couplings therefore condition on x0 and transform only
x1; x0 is never transformed, so its marginal is forced to stay N(0, 1) and the bimodal moon
structure along x0 cannot be represented. Gradients and updates are healthy, but the model
family cannot fit the data.

Measured (seed 0, 1 thread): buggy final train NLL 2.151, test NLL 2.181 nats; fixed copy
(parity=i % 2, alternating masks) train NLL 1.888, test NLL 1.913 (and 1.47 with 300 steps).
Runtime ~11 s CPU.
"""
# traindebug-expect: underfitting
import math

import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.set_num_threads(1)
torch.manual_seed(0)

DIM = 2
N_LAYERS = 6
HIDDEN = 48
STEPS = 200
BATCH = 128

x_np, _ = make_moons(n_samples=4000, noise=0.05, random_state=0)
data = torch.tensor(x_np, dtype=torch.float32)
data = (data - data.mean(0)) / data.std(0)
train, test = data[:3000], data[3000:]


def checkerboard(dim, parity):
    return (torch.arange(dim) % 2 == parity).float()


class AffineCoupling(nn.Module):
    def __init__(self, dim, hidden, mask):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2 * dim))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x):
        x_fixed = x * self.mask
        s, t = self.net(x_fixed).chunk(2, dim=-1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        y = x_fixed + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(-1)


class RealNVP(nn.Module):
    def __init__(self, dim, n_layers, hidden):
        super().__init__()
        self.layers = nn.ModuleList(
            AffineCoupling(dim, hidden, checkerboard(dim, parity=n_layers % 2)) for i in range(n_layers)
        )

    def log_prob(self, x):
        log_det = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            log_det = log_det + ld
        base = -0.5 * (x ** 2).sum(-1) - 0.5 * x.shape[1] * math.log(2 * math.pi)
        return base + log_det


flow = RealNVP(DIM, N_LAYERS, HIDDEN)
optimizer = torch.optim.Adam(flow.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS, eta_min=1e-4)

for step in range(1, STEPS + 1):
    idx = torch.randint(0, len(train), (BATCH,))
    loss = -flow.log_prob(train[idx]).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if step % 50 == 0:
        with torch.no_grad():
            test_nll = -flow.log_prob(test).mean().item()
        print(f"step {step:4d} train_nll {loss.item():.4f} test_nll {test_nll:.4f}")

with torch.no_grad():
    train_nll = -flow.log_prob(train).mean().item()
    test_nll = -flow.log_prob(test).mean().item()
print(f"final: train_nll {train_nll:.4f} test_nll {test_nll:.4f}")
