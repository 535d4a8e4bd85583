"""
Attentive conditional neural process on functions drawn from an RBF-kernel Gaussian process
(length scale 0.4, 50 points on [-2, 2], 3-25 context points): value MLP on (x, y), key MLP
on x, multi-head cross-attention (nn.MultiheadAttention, 4 heads, d = 64) from target to
context locations, ReLU decoder predicting mean and softplus std; Gaussian NLL. Dataclass
config, optimizer chosen by name, batches of 16 functions, 300 iterations, validation
NLL/MSE on 64 fixed functions with 10 context points.

Seeded bug: the config pairs optimizer="adagrad" with lr=1e-4, a learning rate in the range
people use for Adam on attention models. Adagrad divides by the square root of the
accumulated squared gradients, so its per-coordinate step starts at ~lr and keeps shrinking
(~lr/sqrt(t)); with 1e-4 the weights move by ~1e-3 in total and the model stays at its
initial predictions. Adagrad's usual rate is 1e-2.

Measured (seed 0, 1 thread): buggy: validation NLL 1.497 -> 1.457, validation MSE 0.955 ->
0.950 after 300 iterations. Fixed copy (lr 1e-2): validation NLL 0.687, validation MSE 0.237.
"""
# traindebug-expect: lr_too_low
import time
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class TrainConfig:
    d_model: int = 64
    n_heads: int = 4
    batch_size: int = 16
    n_points: int = 50
    min_context: int = 3
    max_context: int = 25
    iterations: int = 300
    optimizer: str = "adagrad"
    lr: float = 1e-4
    log_every: int = 50


def gp_like_batch(batch, n_points, gen):
    """Random functions from an RBF-kernel Gaussian process (length scale 0.4)."""
    x = torch.rand(batch, n_points, 1, generator=gen) * 4 - 2
    d2 = (x - x.transpose(1, 2)) ** 2
    K = torch.exp(-0.5 * d2 / 0.4 ** 2) + 1e-4 * torch.eye(n_points)
    L = torch.linalg.cholesky(K)
    y = L @ torch.randn(batch, n_points, 1, generator=gen)
    return x, y


class AttentiveCNP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.d_model
        self.value_net = nn.Sequential(nn.Linear(2, d), nn.ReLU(), nn.Linear(d, d), nn.ReLU(), nn.Linear(d, d))
        self.key_net = nn.Sequential(nn.Linear(1, d), nn.ReLU(), nn.Linear(d, d))
        self.cross_attn = nn.MultiheadAttention(d, cfg.n_heads, batch_first=True)
        self.decoder = nn.Sequential(nn.Linear(d + 1, d), nn.ReLU(), nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 2))

    def forward(self, xc, yc, xt):
        values = self.value_net(torch.cat([xc, yc], dim=-1))
        r, _ = self.cross_attn(self.key_net(xt), self.key_net(xc), values)
        out = self.decoder(torch.cat([r, xt], dim=-1))
        mean, raw_std = out.chunk(2, dim=-1)
        return mean, 0.01 + F.softplus(raw_std)


def make_optimizer(name, params, lr):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    raise ValueError(name)


def gaussian_nll(mean, std, y):
    return (torch.log(std) + 0.5 * ((y - mean) / std) ** 2).mean() + 0.9189385


def main(cfg):
    gen = torch.Generator().manual_seed(0)
    val_x, val_y = gp_like_batch(64, cfg.n_points, torch.Generator().manual_seed(7))
    model = AttentiveCNP(cfg)
    opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    t0 = time.time()
    for it in range(1, cfg.iterations + 1):
        x, y = gp_like_batch(cfg.batch_size, cfg.n_points, gen)
        n_ctx = int(torch.randint(cfg.min_context, cfg.max_context + 1, (1,), generator=gen))
        mean, std = model(x[:, :n_ctx], y[:, :n_ctx], x)
        loss = gaussian_nll(mean, std, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if it % cfg.log_every == 0 or it == 1:
            model.eval()
            with torch.no_grad():
                vm, vs = model(val_x[:, :10], val_y[:, :10], val_x[:, 10:])
                val_nll = gaussian_nll(vm, vs, val_y[:, 10:]).item()
                val_mse = F.mse_loss(vm, val_y[:, 10:]).item()
            model.train()
            print(f"it {it:4d}  train nll {loss.item():.3f}  val nll {val_nll:.3f}  val mse {val_mse:.3f}")
    print(f"final val nll {val_nll:.3f}  val mse {val_mse:.3f}  ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main(TrainConfig())
