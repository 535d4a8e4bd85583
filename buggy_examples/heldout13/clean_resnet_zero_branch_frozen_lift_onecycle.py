"""Healthy control: residual MLP regressor on sklearn diabetes with SGD momentum, OneCycle warm-up to lr 0.1.

Patterns that may fool a naive detector: (1) a deliberately frozen input
sub-network (a fixed random sin-feature lift whose parameters have
requires_grad=False and are not given to the optimizer); (2) the second linear
layer of every residual block is zero-initialised, so at step 0 those weights
are exactly zero/identical and the earlier fc1 layers receive no gradient on the
first step; (3) a peak learning rate of 0.1 with momentum 0.9, reached after a
short warm-up. Measured (200 steps): train MSE 1.109 -> 0.424, val MSE
1.215 -> 0.503 in standardised-target units (R^2 ~ 0.5, typical for this
dataset).
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes

torch.manual_seed(0)
torch.set_num_threads(2)

X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)
n_tr = 350
X = (X - X[:n_tr].mean(0)) / X[:n_tr].std(0)
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
y = (y - y_mu) / y_sd


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, d)
        nn.init.zeros_(self.fc2.weight)  # each residual branch starts as the identity
        nn.init.zeros_(self.fc2.bias)

    def forward(self, h):
        return h + self.fc2(F.silu(self.fc1(F.layer_norm(h, h.shape[-1:]))))


class ResRegressor(nn.Module):
    def __init__(self, d_in, d=64, n_blocks=3):
        super().__init__()
        # fixed random Fourier-feature lift; kept frozen on purpose
        self.lift = nn.Linear(d_in, d)
        for p in self.lift.parameters():
            p.requires_grad_(False)
        self.blocks = nn.Sequential(*[Block(d) for _ in range(n_blocks)])
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        return self.out(self.blocks(torch.sin(self.lift(x)))).squeeze(1)


model = ResRegressor(10)
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4)
total = 200
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=total, pct_start=0.15)
g = torch.Generator().manual_seed(0)
for step in range(total):
    idx = torch.randint(0, n_tr, (32,), generator=g)
    loss = F.mse_loss(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0 or step == total - 1:
        with torch.no_grad():
            tr = F.mse_loss(model(X[:n_tr]), y[:n_tr]).item()
            va = F.mse_loss(model(X[n_tr:]), y[n_tr:]).item()
        print(f"step {step:3d} lr {sched.get_last_lr()[0]:.4f} train_mse {tr:.3f} val_mse {va:.3f} (std units)")
