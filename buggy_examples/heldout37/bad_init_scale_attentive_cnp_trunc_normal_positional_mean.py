"""Attentive conditional neural process (deterministic path of Kim et al. 2019) on generated
1-D functions.

Data: random sums of three sinusoids (random amplitude, frequency in [0.5, 2], phase)
plus 0.05 noise at 32 random inputs in [-3, 3], generated fresh each step with torch;
16 functions per batch, 6-16 context points, all 32 points as targets.  Model: context
encoder MLP (x, y) -> 128 -> 128, single-head cross-attention from target-x queries to
context-x keys (128-d projections, scaled dot product) over the encoded values, decoder
MLP (attended r, x*) -> 128 -> 128 -> (mu, log-sigma).  Gaussian NLL, Adam (lr 5e-4),
300 steps, plain loop.  Linear layers initialised ViT-style in `_init`.

Seeded bug: `_init` calls `nn.init.trunc_normal_(m.weight, 0.02)`, copying the usual
timm idiom but passing 0.02 positionally, where the second parameter is `mean`, not `std`.
The weights are drawn from N(0.02, 1) truncated to [-2, 2], i.e. ~11x larger than the
default scale for 128 inputs: hidden activations grow by about an order of magnitude per
layer, the attention logits are in the thousands (one-hot softmax) and the predicted
mean / log-sigma at step 0 are of order 1e3-1e4, so the initial NLL is astronomically
large and training spends its budget undoing the scale.

Measured (seed 0, 1 thread, 256 test functions, 10 context points): buggy test NLL
1.4e11 at step 0 (test MSE 2.9e7) and still 6.6e7 after 300 steps (MSE 4.2e5); fixed copy
(`trunc_normal_(m.weight, std=0.02)`): test NLL 1.09 -> 0.865, MSE 0.52 -> 0.340.
CPU time ~4 s.
"""
# traindebug-expect: bad_init_scale
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_POINTS, BATCH, STEPS, LR, H = 32, 16, 300, 5e-4, 128


def sample_functions(batch, n=N_POINTS):
    x = torch.rand(batch, n, 1) * 6 - 3
    amp = torch.rand(batch, 1, 3) * 1.0
    freq = 0.5 + 1.5 * torch.rand(batch, 1, 3)
    phase = torch.rand(batch, 1, 3) * 2 * math.pi
    y = (amp * torch.sin(freq * x + phase)).sum(-1, keepdim=True)
    return x, y + 0.05 * torch.randn_like(y)


class AttentiveCNP(nn.Module):
    def __init__(self, h=H):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(2, h), nn.ReLU(), nn.Linear(h, h))
        self.q = nn.Linear(1, h)
        self.k = nn.Linear(1, h)
        self.dec = nn.Sequential(nn.Linear(h + 1, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2))
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, 0.02)
            nn.init.zeros_(m.bias)

    def forward(self, xc, yc, xt):
        v = self.enc(torch.cat([xc, yc], -1))
        att = self.q(xt) @ self.k(xc).transpose(1, 2) / math.sqrt(v.shape[-1])
        r = att.softmax(-1) @ v
        mu, log_sigma = self.dec(torch.cat([r, xt], -1)).chunk(2, -1)
        sigma = 0.01 + F.softplus(log_sigma)
        return mu, sigma


def gaussian_nll(mu, sigma, y):
    return (torch.log(sigma) + 0.5 * ((y - mu) / sigma) ** 2 + 0.5 * math.log(2 * math.pi)).mean()


model = AttentiveCNP()
opt = torch.optim.Adam(model.parameters(), lr=LR)
x_te, y_te = sample_functions(256)

t0 = time.process_time()
for step in range(STEPS):
    x, y = sample_functions(BATCH)
    n_ctx = torch.randint(6, 17, ()).item()
    mu, sigma = model(x[:, :n_ctx], y[:, :n_ctx], x)
    loss = gaussian_nll(mu, sigma, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == STEPS - 1:
        with torch.no_grad():
            mu_te, sig_te = model(x_te[:, :10], y_te[:, :10], x_te)
            te = gaussian_nll(mu_te, sig_te, y_te).item()
            mse = F.mse_loss(mu_te, y_te).item()
        print(f"step {step:4d}  train nll {loss.item():.4g}  test nll {te:.4g}  test mse {mse:.4g}")
print(f"final test nll {te:.4f}  test mse {mse:.4f}")
print(f"cpu time {time.process_time() - t0:.1f}s")
