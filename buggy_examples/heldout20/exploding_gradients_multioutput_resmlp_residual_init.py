"""Multi-output regression (make_regression, 4 targets) with a 16-block residual MLP.

Seeded bug (exploding_gradients): every residual branch (fc1 AND fc2) is
re-initialised with kaiming_normal_ (gain sqrt(2)), so each block roughly
doubles+ the signal variance and the gradient grows by orders of magnitude
through the 16 blocks (residual branches need a scaled-down or zero-init last
layer). Gradient clipping (before step) keeps it finite but useless.
Measured (300 steps): buggy total grad norm 5.7e7 in epoch 1 and still ~1e4 at the
end, test MSE (standardised targets) 63; fixed (default nn.Linear init): max grad
norm 2.7 -> 0.12, test MSE 0.0035.
"""
# traindebug-expect: exploding_gradients
from dataclasses import dataclass
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


@dataclass
class Config:
    n_samples: int = 2000
    n_features: int = 20
    n_targets: int = 4
    width: int = 64
    depth: int = 16
    lr: float = 0.01
    momentum: float = 0.9
    epochs: int = 12
    batch_size: int = 64
    max_grad_norm: float = 1.0
    seed: int = 0


class ResBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, d)
        self.act = nn.GELU()
        for m in (self.fc1, self.fc2):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(x)))


class ResMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.inp = nn.Linear(cfg.n_features, cfg.width)
        self.blocks = nn.Sequential(*[ResBlock(cfg.width) for _ in range(cfg.depth)])
        self.head = nn.Linear(cfg.width, cfg.n_targets)

    def forward(self, x):
        return self.head(self.blocks(self.inp(x)))


def main(cfg: Config):
    torch.manual_seed(cfg.seed)
    X, Y = make_regression(n_samples=cfg.n_samples, n_features=cfg.n_features, n_informative=12,
                           n_targets=cfg.n_targets, noise=5.0, random_state=cfg.seed)
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.2, random_state=cfg.seed)
    xs, ys = StandardScaler().fit(Xtr), StandardScaler().fit(Ytr)
    Xtr, Xte = (torch.tensor(xs.transform(a), dtype=torch.float32) for a in (Xtr, Xte))
    Ytr, Yte = (torch.tensor(ys.transform(a), dtype=torch.float32) for a in (Ytr, Yte))

    model = ResMLP(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    mse = nn.MSELoss()
    g = torch.Generator().manual_seed(cfg.seed)
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        ep_loss, norms = [], []
        for i in range(0, len(Xtr), cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = mse(model(Xtr[idx]), Ytr[idx])
            opt.zero_grad()
            loss.backward()
            gn = nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
            opt.step()
            norms.append(gn.item())
            ep_loss.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            te = mse(model(Xte), Yte).item()
        print(f"epoch {epoch+1:2d} step {step} train {np.mean(ep_loss):.4g} test {te:.4g} "
              f"max grad norm {max(norms):.3g}")


if __name__ == "__main__":
    main(Config())
