"""RealNVP-style normalizing flow on standardized two-moons data.

Seeded bug (symmetric_init): reset_parameters() is meant to make each
coupling start as the identity by zeroing the *last* layer of the scale and
translation nets, but it zeroes the weights and biases of every Linear layer.
All hidden units are then identical (exactly zero activations) and get zero
gradient forever, so the coupling nets can never learn anything beyond a
constant shift. Measured (300 Adam steps): held-out NLL stays at
2.83 nats (2.8338 at step 1 -> 2.8345 at the end, i.e. the standard-Gaussian
fit). With only the last layer zeroed the same script reaches 1.79 nats.
"""
# traindebug-expect: symmetric_init
import math
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class Coupling(nn.Module):
    def __init__(self, mask, hidden=32):
        super().__init__()
        self.register_buffer("mask", mask)
        self.s_net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(),
                                   nn.Linear(hidden, hidden), nn.Tanh(),
                                   nn.Linear(hidden, 2))
        self.t_net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(),
                                   nn.Linear(hidden, hidden), nn.ReLU(),
                                   nn.Linear(hidden, 2))
        self.reset_parameters()

    def reset_parameters(self):
        # start every coupling at the identity map so the untrained flow is a no-op
        for net in (self.s_net, self.t_net):
            for m in net.modules():
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.weight)
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        xa = x * self.mask
        s = self.s_net(xa) * (1 - self.mask)
        t = self.t_net(xa) * (1 - self.mask)
        y = xa + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(dim=1)


class RealNVP(nn.Module):
    def __init__(self, n_layers=4):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0])
                 for i in range(n_layers)]
        self.layers = nn.ModuleList(Coupling(m) for m in masks)

    def log_prob(self, x):
        logdet = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        base = -0.5 * (x ** 2).sum(dim=1) - math.log(2 * math.pi)
        return base + logdet


X, _ = make_moons(n_samples=6000, noise=0.06, random_state=0)
X = (X - X.mean(0)) / X.std(0)
X = torch.tensor(X, dtype=torch.float32)
train, test = X[:5000], X[5000:]

flow = RealNVP()
opt = torch.optim.Adam(flow.parameters(), lr=2e-3)
batch = 256
steps = 300
g = torch.Generator().manual_seed(1)
for step in range(1, steps + 1):
    idx = torch.randint(0, train.shape[0], (batch,), generator=g)
    nll = -flow.log_prob(train[idx]).mean()
    opt.zero_grad()
    nll.backward()
    opt.step()
    if step % 50 == 0 or step == 1:
        with torch.no_grad():
            test_nll = -flow.log_prob(test).mean().item()
        print(f"step {step:4d}  train nll {nll.item():.4f}  test nll {test_nll:.4f}")

with torch.no_grad():
    print(f"final test nll: {-flow.log_prob(test).mean().item():.4f} nats")
