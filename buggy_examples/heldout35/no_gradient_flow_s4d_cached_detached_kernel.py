"""
S4D-style diagonal state-space sequence model (S4D-Lin init, ZOH discretisation, kernel computed
from a Vandermonde product and applied by FFT convolution) for a per-time-step regression: white
noise input, target is an echo filter y_t = x_{t-7} - 0.6 x_{t-19}. Linear encoder -> 2 residual
pre-LN S4D layers (32 channels, state 32, GELU + output linear) -> linear decoder. AdamW with two
parameter groups (SSM kernel parameters lr 1e-3 without weight decay, the rest lr 4e-3, wd 0.01),
220 steps of batch 32 generated on the fly, sequence length 64.

Seeded bug: to avoid recomputing the convolution kernel every batch, the layer caches it the first
time (`self._k = self.kernel(L).detach()`); the .detach() is what one adds after the second batch
fails with "Trying to backward through the graph a second time". Since the cached kernel is
detached, log_dt, A and C of every SSM layer never receive a gradient: the kernels stay at their
smooth initial shapes and cannot learn the sharp delays.

Measured (seed 0, 1 thread): buggy final val MSE 0.229 vs fixed copy (kernel recomputed in every
forward pass) val MSE 0.033; target variance 1.15.
"""
# traindebug-expect: no_gradient_flow
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SEQ_LEN = 64
DELAYS = (7, 19)


def make_batch(n, gen=None):
    """White-noise input; the target is a fixed echo filter y_t = x_{t-7} - 0.6 x_{t-19}."""
    x = torch.randn(n, SEQ_LEN, generator=gen)
    y = torch.zeros_like(x)
    y[:, DELAYS[0]:] += x[:, :-DELAYS[0]]
    y[:, DELAYS[1]:] -= 0.6 * x[:, :-DELAYS[1]]
    return x.unsqueeze(-1), y.unsqueeze(-1)


class S4DKernel(nn.Module):
    """Diagonal state-space kernel (S4D-Lin init), discretised with zero-order hold."""

    def __init__(self, channels, state=32, dt_min=1e-3, dt_max=1e-1):
        super().__init__()
        log_dt = torch.rand(channels) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min)
        self.log_dt = nn.Parameter(log_dt)
        self.log_A_real = nn.Parameter(torch.log(0.5 * torch.ones(channels, state // 2)))
        self.A_imag = nn.Parameter(math.pi * torch.arange(state // 2).float().repeat(channels, 1))
        C = torch.randn(channels, state // 2, dtype=torch.cfloat) * 0.5 ** 0.5
        self.C = nn.Parameter(torch.view_as_real(C))

    def forward(self, L):
        dt = torch.exp(self.log_dt)[:, None]
        A = -torch.exp(self.log_A_real) + 1j * self.A_imag
        C = torch.view_as_complex(self.C) * (torch.exp(dt * A) - 1.0) / A
        vand = torch.exp((dt * A).unsqueeze(-1) * torch.arange(L))   # (H, N/2, L)
        return 2 * torch.einsum("hn,hnl->hl", C, vand).real


class S4DLayer(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.kernel = S4DKernel(channels)
        self.D = nn.Parameter(torch.randn(channels))
        self.out = nn.Linear(channels, channels)
        self._k = None

    def forward(self, u):  # u: (B, L, H)
        L = u.shape[1]
        if self._k is None or self._k.shape[-1] != L:
            # the kernel only depends on L, so compute it once and reuse it for every batch
            self._k = self.kernel(L).detach()
        k = self._k
        u_t = u.transpose(1, 2)
        y = torch.fft.irfft(torch.fft.rfft(u_t, n=2 * L) * torch.fft.rfft(k, n=2 * L), n=2 * L)[..., :L]
        y = y + u_t * self.D[:, None]
        return self.out(F.gelu(y.transpose(1, 2)))


class S4DRegressor(nn.Module):
    def __init__(self, channels=32, n_layers=2):
        super().__init__()
        self.enc = nn.Linear(1, channels)
        self.layers = nn.ModuleList([S4DLayer(channels) for _ in range(n_layers)])
        self.norms = nn.ModuleList([nn.LayerNorm(channels) for _ in range(n_layers)])
        self.dec = nn.Linear(channels, 1)

    def forward(self, x):
        h = self.enc(x)
        for layer, norm in zip(self.layers, self.norms):
            h = h + layer(norm(h))
        return self.dec(h)


def main():
    model = S4DRegressor()
    ssm_params = [p for n, p in model.named_parameters() if "kernel" in n]
    other_params = [p for n, p in model.named_parameters() if "kernel" not in n]
    opt = torch.optim.AdamW([
        {"params": ssm_params, "lr": 1e-3, "weight_decay": 0.0},
        {"params": other_params, "lr": 4e-3, "weight_decay": 0.01},
    ])
    gen = torch.Generator().manual_seed(1)
    x_val, y_val = make_batch(512, gen)

    for step in range(1, 221):
        x, y = make_batch(32)
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 40 == 0 or step == 220:
            with torch.no_grad():
                val = F.mse_loss(model(x_val), y_val).item()
            print(f"step {step:3d} train_mse {loss.item():.4f} val_mse {val:.4f}")
    print(f"final val MSE {val:.4f} (target variance {y_val.var().item():.3f})")


if __name__ == "__main__":
    main()
