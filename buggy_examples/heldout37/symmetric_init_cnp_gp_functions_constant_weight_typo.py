"""Conditional neural process (Garnelo et al. 2018) on generated 1-D Gaussian-process functions.

Data: 1600 training and 200 test functions drawn from a GP with RBF kernel (lengthscale
0.4, unit variance, noise 0.05) at 40 random inputs in [-2, 2] (numpy Cholesky).  Each
batch of 16 functions gets a random context size (5-20); targets are all 40 points.
Model: encoder MLP (x, y) -> 128 -> 128 -> 128, mean aggregation, decoder MLP
(r, x*) -> 128 -> 128 -> (mu, sigma), sigma = 0.05 + 0.95 softplus.  Gaussian NLL,
Adam (lr 1e-3), 300 steps, small Trainer class with an on-log callback, weights
initialised by a `init_weights` function applied with `model.apply`.

Seeded bug: `init_weights` does `nn.init.xavier_uniform_(m.weight)` and then
`nn.init.constant_(m.weight, 0.01)` - the second line was meant for `m.bias`.  Every Linear
layer ends up with all weights equal, so all 128 hidden units of each layer compute the
same value, receive the same gradient and stay identical for the whole run; the network
behaves like a width-1 MLP and cannot represent the functions.  Realistic: a copy-pasted
init line with the wrong attribute.

Measured (seed 0, 1 thread, 200 test functions, 10 context points): buggy final test NLL
1.349, test MSE 0.880; fixed copy (`nn.init.constant_(m.bias, 0.01)`): test NLL 1.087,
test MSE 0.566.  CPU time ~4 s.
"""
# traindebug-expect: symmetric_init
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def gp_bank(n_funcs, n_points=40, ls=0.4, noise=0.05):
    xs = rng.uniform(-2, 2, (n_funcs, n_points))
    ys = np.empty_like(xs)
    for i, x in enumerate(xs):
        K = np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2 / ls ** 2) + 1e-5 * np.eye(n_points)
        ys[i] = np.linalg.cholesky(K) @ rng.standard_normal(n_points)
    ys += noise * rng.standard_normal(ys.shape)
    return torch.tensor(xs, dtype=torch.float32)[..., None], torch.tensor(ys, dtype=torch.float32)[..., None]


class CNP(nn.Module):
    def __init__(self, h=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(2, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, h))
        self.decoder = nn.Sequential(nn.Linear(h + 1, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2))

    def forward(self, xc, yc, xt):
        r = self.encoder(torch.cat([xc, yc], -1)).mean(1, keepdim=True)
        out = self.decoder(torch.cat([r.expand(-1, xt.shape[1], -1), xt], -1))
        mu, raw = out.chunk(2, -1)
        return mu, 0.05 + 0.95 * F.softplus(raw)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.constant_(m.weight, 0.01)


def nll(mu, sigma, y):
    return -torch.distributions.Normal(mu, sigma).log_prob(y).mean()


class Trainer:
    def __init__(self, model, opt, callbacks=()):
        self.model, self.opt, self.callbacks = model, opt, list(callbacks)

    def split(self, x, y):
        n_ctx = int(rng.integers(5, 21))
        perm = torch.from_numpy(rng.permutation(x.shape[1]))
        idx = perm[:n_ctx]
        return x[:, idx], y[:, idx], x, y

    def step(self, x, y):
        xc, yc, xt, yt = self.split(x, y)
        loss = nll(*self.model(xc, yc, xt), yt)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, x, y):
        xc, yc, xt, yt = x[:, :10], y[:, :10], x, y
        mu, sigma = self.model(xc, yc, xt)
        return nll(mu, sigma, yt).item(), F.mse_loss(mu, yt).item()

    def fit(self, x, y, steps, batch=16):
        for s in range(steps):
            idx = torch.from_numpy(rng.choice(x.shape[0], batch, replace=False))
            loss = self.step(x[idx], y[idx])
            for cb in self.callbacks:
                cb(self, s, loss)


x_tr, y_tr = gp_bank(1600)
x_te, y_te = gp_bank(200)


def log_every(n):
    def cb(trainer, s, loss):
        if s % n == 0:
            te_nll, te_mse = trainer.evaluate(x_te, y_te)
            print(f"step {s:4d}  train nll {loss:.3f}  test nll {te_nll:.3f}  test mse {te_mse:.3f}")
    return cb


model = CNP()
model.apply(init_weights)
trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=1e-3), callbacks=[log_every(60)])
t0 = time.process_time()
trainer.fit(x_tr, y_tr, steps=300)
te_nll, te_mse = trainer.evaluate(x_te, y_te)
print(f"final test nll (10 context points) {te_nll:.3f}  test mse {te_mse:.3f}")
print(f"cpu time {time.process_time() - t0:.1f}s")
