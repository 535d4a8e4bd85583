"""Mixture density network (5 Gaussian components) on Bishop's inverse-sine problem.
The init meant for the output heads (uniform mixture weights, equal scales) loops over
self.modules(), so every Linear, including the tanh trunk, gets zero weights and zero bias. All
hidden units and all mixture components stay identical (identical rows, identical gradients), so the
model collapses to one Gaussian whose mean and scale barely depend on x.
Measured (300 Adam steps): seeded bug val NLL 0.464 -> 0.253 -> 0.183 at epochs 5/10/15;
fixed copy (trunk default init, heads N(0, 0.1)) val NLL -0.619 -> -0.775 -> -0.683.
"""
# traindebug-expect: symmetric_init
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(6)
np.random.seed(6)
torch.set_num_threads(2)

# Inverse problem (Bishop 1994): x = t + 0.3 sin(2 pi t) + noise, predict t from x.
# p(t | x) is multi-modal for x in the middle of the range.
N = 2500
t = np.random.uniform(0, 1, N).astype(np.float32)
x = t + 0.3 * np.sin(2 * np.pi * t) + np.random.uniform(-0.1, 0.1, N).astype(np.float32)
x = (x - x.mean()) / x.std()
x_tr, t_tr = torch.from_numpy(x[:2000, None]), torch.from_numpy(t[:2000, None])
x_va, t_va = torch.from_numpy(x[2000:, None]), torch.from_numpy(t[2000:, None])


class MDN(nn.Module):
    def __init__(self, d_in=1, hidden=48, n_comp=5):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, hidden), nn.Tanh(),
                                   nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, n_comp)
        self.mu = nn.Linear(hidden, n_comp)
        self.log_sigma = nn.Linear(hidden, n_comp)
        # start from a well-conditioned mixture: uniform weights, unit-ish scales
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.weight)
                nn.init.zeros_(m.bias)
        nn.init.constant_(self.log_sigma.bias, math.log(0.3))

    def forward(self, x):
        h = self.trunk(x)
        return self.pi(h), self.mu(h), self.log_sigma(h).clamp(-7, 3)


def mdn_nll(pi_logits, mu, log_sigma, y):
    log_pi = F.log_softmax(pi_logits, dim=-1)
    comp = -0.5 * ((y - mu) / log_sigma.exp()) ** 2 - log_sigma - 0.5 * math.log(2 * math.pi)
    return -torch.logsumexp(log_pi + comp, dim=-1).mean()


model = MDN()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

bs = 100
for epoch in range(15):
    perm = torch.randperm(len(x_tr))
    for i in range(0, len(x_tr), bs):
        idx = perm[i:i + bs]
        loss = mdn_nll(*model(x_tr[idx]), t_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 5 == 4:
        with torch.no_grad():
            va = mdn_nll(*model(x_va), t_va).item()
        print(f"epoch {epoch + 1:2d}  train nll {loss.item():.4f}  val nll {va:.4f}")
