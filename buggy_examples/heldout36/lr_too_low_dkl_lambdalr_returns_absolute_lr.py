"""Deep kernel learning on Friedman #1: MLP feature extractor (10 -> 64 -> 32 -> 2) under an
exact GP with an RBF kernel, trained by maximising the log marginal likelihood (Cholesky
written by hand).  Full-batch Adam, 300 iterations, linear warm-up + cosine schedule via
LambdaLR, small Trainer class with a logging callback and dataclass config.

Seeded bug: the LambdaLR lambda returns the *absolute* learning rate
(`cfg.lr * factor`) instead of the multiplicative factor.  LambdaLR multiplies the
optimizer's base lr by the lambda's value, so the effective peak rate is
cfg.lr ** 2 = 1e-4 instead of 1e-2.  A very common misunderstanding of LambdaLR's API
(it looks right when read in isolation); the kernel hyper-parameters and the feature
extractor barely move in 300 steps.

Measured (seed 0, 300 steps, 300 train / 100 test points): buggy final train NLL/n
0.822, noise variance stuck at 0.369, test RMSE 0.537 (standardised targets); fixed
copy (lambda returns `factor`): train NLL/n -0.262, noise 0.086, test RMSE 0.317.
"""
# traindebug-expect: lr_too_low
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    seed: int = 0
    n_samples: int = 400
    lr: float = 1e-2
    iters: int = 300
    warmup: int = 30
    feat_dim: int = 2
    hidden: list = field(default_factory=lambda: [64, 32])
    log_every: int = 50


class DeepKernelGP(nn.Module):
    def __init__(self, in_dim, hidden, feat_dim):
        super().__init__()
        layers, d = [], in_dim
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, feat_dim))
        self.features = nn.Sequential(*layers)
        self.log_lengthscale = nn.Parameter(torch.zeros(()))
        self.log_outputscale = nn.Parameter(torch.zeros(()))
        self.log_noise = nn.Parameter(torch.tensor(-1.0))
        self.mean = nn.Parameter(torch.zeros(()))

    def kernel(self, za, zb):
        za = za / self.log_lengthscale.exp()
        zb = zb / self.log_lengthscale.exp()
        sq = (za.pow(2).sum(-1, keepdim=True) - 2 * za @ zb.T + zb.pow(2).sum(-1)).clamp_min(0)
        return self.log_outputscale.exp() * torch.exp(-0.5 * sq)

    def neg_mll(self, x, y):
        z = self.features(x)
        n = x.shape[0]
        K = self.kernel(z, z) + (self.log_noise.exp() + 1e-4) * torch.eye(n)
        L = torch.linalg.cholesky(K)
        r = (y - self.mean).unsqueeze(-1)
        alpha = torch.cholesky_solve(r, L)
        nll = 0.5 * (r * alpha).sum() + torch.log(torch.diagonal(L)).sum() + 0.5 * n * math.log(2 * math.pi)
        return nll / n

    @torch.no_grad()
    def predict(self, x_train, y_train, x_test):
        z_tr, z_te = self.features(x_train), self.features(x_test)
        n = x_train.shape[0]
        K = self.kernel(z_tr, z_tr) + (self.log_noise.exp() + 1e-4) * torch.eye(n)
        L = torch.linalg.cholesky(K)
        alpha = torch.cholesky_solve((y_train - self.mean).unsqueeze(-1), L)
        return self.mean + (self.kernel(z_te, z_tr) @ alpha).squeeze(-1)


class PrintCallback:
    def __init__(self, every):
        self.every = every

    def on_step_end(self, trainer, step, loss):
        if step % self.every == 0 or step == trainer.cfg.iters:
            m = trainer.model
            print(f"iter {step:4d} nll/n {loss:.4f} lr {trainer.opt.param_groups[0]['lr']:.2e} "
                  f"ls {m.log_lengthscale.exp().item():.3f} noise {m.log_noise.exp().item():.4f}")


class Trainer:
    def __init__(self, model, cfg, callbacks=()):
        self.model, self.cfg, self.callbacks = model, cfg, list(callbacks)
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)

        def lr_lambda(step):
            if step < cfg.warmup:
                factor = (step + 1) / cfg.warmup
            else:
                progress = (step - cfg.warmup) / max(1, cfg.iters - cfg.warmup)
                factor = 0.5 * (1 + math.cos(math.pi * progress))
            return cfg.lr * factor

        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lr_lambda)

    def fit(self, x, y):
        self.model.train()
        loss = None
        for step in range(1, self.cfg.iters + 1):
            self.opt.zero_grad()
            loss = self.model.neg_mll(x, y)
            loss.backward()
            self.opt.step()
            self.sched.step()
            for cb in self.callbacks:
                cb.on_step_end(self, step, loss.item())
        return loss.item()


def main():
    cfg = Config()
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)

    X, y = make_friedman1(n_samples=cfg.n_samples, noise=0.5, random_state=cfg.seed)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed)
    xs, ys = StandardScaler().fit(Xtr), StandardScaler().fit(ytr[:, None])
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    x_train, x_test = to_t(xs.transform(Xtr)), to_t(xs.transform(Xte))
    y_train = to_t(ys.transform(ytr[:, None]).ravel())
    y_test = to_t(ys.transform(yte[:, None]).ravel())

    model = DeepKernelGP(x_train.shape[1], cfg.hidden, cfg.feat_dim)
    trainer = Trainer(model, cfg, callbacks=[PrintCallback(cfg.log_every)])
    final_nll = trainer.fit(x_train, y_train)

    model.eval()
    pred = model.predict(x_train, y_train, x_test)
    rmse = torch.sqrt(((pred - y_test) ** 2).mean()).item()
    print(f"final train nll/n {final_nll:.4f}  test RMSE (standardised) {rmse:.4f}")


if __name__ == "__main__":
    t0 = time.process_time()
    main()
    print(f"cpu time {time.process_time() - t0:.1f}s")
