"""Untied LISTA (learned ISTA, Gregor & LeCun 2010) for sparse-code recovery on generated data.

Data: a fixed random dictionary D (20 x 80, unit-norm atoms); codes with 4 non-zeros
(N(0,1) amplitudes), measurements y = D x + 0.01 noise, fresh batches of 64 every step and
a fixed test set of 1000.  Model: 16 unrolled layers z <- soft(W_k y + S_k z, theta_k),
each layer with its own W_k, S_k and threshold, all initialised from ISTA
(W = D^T / L, S = I - D^T D / L, theta = lambda / L with L the Lipschitz constant of the
data-fit gradient).  Supervised code MSE, Adam lr 1e-3, 300 steps, dataclass config.

Seeded bug: the Lipschitz constant is computed as `torch.linalg.matrix_norm(D, ord=2)`,
the largest singular value of D, instead of its square (the largest eigenvalue of D^T D).
With sigma_max(D) ~ 3 the ISTA step 1/L is ~3x too large, S = I - D^T D / L has
eigenvalues down to 1 - sigma_max ~ -2, and every unrolled layer multiplies the signal -
and, backwards, the gradient - by up to ~2: the first layer's gradient is about 10^4 times
the last layer's and the code estimates blow up to ~1e2-1e3.  Realistic: "L is the largest
singular value" is a common misremembering of the ISTA step-size rule.

Measured (seed 0, 1 thread): at step 0 the buggy gradient norm is 2.7e5 in total, with
|grad W_0| = 6.4e4 vs |grad W_15| = 17 (fixed copy: total 0.14, W_0 0.012, W_15 0.012);
test NMSE at init +52 dB (ISTA with the correct L: -2.7 dB); after 300 steps the buggy
model reaches +4.8 dB (worse than predicting all zeros), the fixed copy
(`matrix_norm(D, ord=2) ** 2`) -7.6 dB.  CPU time ~4.5 s.
"""
# traindebug-expect: exploding_gradients
import time
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class Config:
    m: int = 20
    n: int = 80
    k_sparse: int = 4
    layers: int = 16
    lam: float = 0.1
    noise: float = 0.01
    batch: int = 64
    steps: int = 300
    lr: float = 1e-3
    seed: int = 0


cfg = Config()
torch.manual_seed(cfg.seed)

D = torch.randn(cfg.m, cfg.n)
D = D / D.norm(dim=0, keepdim=True)


def sample(batch):
    x = torch.zeros(batch, cfg.n)
    idx = torch.rand(batch, cfg.n).argsort(dim=1)[:, :cfg.k_sparse]
    x.scatter_(1, idx, torch.randn(batch, cfg.k_sparse))
    y = x @ D.T + cfg.noise * torch.randn(batch, cfg.m)
    return y, x


def soft(v, theta):
    return torch.sign(v) * F.relu(v.abs() - theta)


class LISTA(nn.Module):
    def __init__(self, D, layers, lam):
        super().__init__()
        L = torch.linalg.matrix_norm(D, ord=2)
        n = D.shape[1]
        W0 = D.T / L
        S0 = torch.eye(n) - D.T @ D / L
        self.W = nn.ParameterList([nn.Parameter(W0.clone()) for _ in range(layers)])
        self.S = nn.ParameterList([nn.Parameter(S0.clone()) for _ in range(layers - 1)])
        self.theta = nn.Parameter(torch.full((layers,), float(lam / L)))

    def forward(self, y):
        z = soft(y @ self.W[0].T, self.theta[0])
        for k in range(1, len(self.W)):
            z = soft(y @ self.W[k].T + z @ self.S[k - 1].T, self.theta[k])
        return z


def nmse_db(z, x):
    return 10 * torch.log10(((z - x) ** 2).sum() / (x ** 2).sum()).item()


model = LISTA(D, cfg.layers, cfg.lam)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
y_test, x_test = sample(1000)

t0 = time.process_time()
with torch.no_grad():
    print(f"init (ISTA, {cfg.layers} iterations) test NMSE {nmse_db(model(y_test), x_test):.2f} dB")
for step in range(cfg.steps):
    y, x = sample(cfg.batch)
    loss = F.mse_loss(model(y), x)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == cfg.steps - 1:
        with torch.no_grad():
            test = nmse_db(model(y_test), x_test)
        print(f"step {step:4d}  train mse {loss.item():.4g}  test NMSE {test:.2f} dB")
print(f"cpu time {time.process_time() - t0:.1f}s")
