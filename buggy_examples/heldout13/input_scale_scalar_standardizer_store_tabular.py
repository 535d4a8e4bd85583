"""Tabular regression (store embedding + 4 numeric features), argparse config, Adam + cosine.

Seeded bug (input_scale): the numeric block is standardised with a single scalar
mean/std over the whole matrix (num.mean(), num.std()) instead of per column
(axis 0). Income (~5e4) dominates those statistics, so after "scaling" income
still has std ~1 while age, ratio and tenure are squeezed to std ~1e-4..1e-3 and
essentially constant. Measured (12 epochs, 228 steps): buggy train MSE 0.522,
val MSE 0.534 on the standardised target; per-column scaling gives train MSE
0.029, val MSE 0.034.
"""
# traindebug-expect: input_scale
import argparse
import numpy as np
import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=12)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--emb-dim", type=int, default=4)
args = parser.parse_args()

torch.manual_seed(0)
torch.set_num_threads(2)
rng = np.random.default_rng(0)

# synthetic tabular data: store id (categorical) + age, income, basket ratio, tenure
N, N_STORES = 3000, 8
store = rng.integers(0, N_STORES, N)
age = rng.uniform(18, 80, N)
income = rng.lognormal(10.8, 0.5, N)
ratio = rng.beta(2, 5, N)
tenure = rng.uniform(0, 15, N)
store_eff = rng.normal(0, 1, N_STORES)
target = (3.0 * ratio - 1.0 + store_eff[store] + 0.03 * (age - 50)
          + 0.5 * np.log(income / 5e4) + 0.1 * tenure + rng.normal(0, 0.2, N))

num = np.stack([age, income, ratio, tenure], axis=1)
n_tr = 2400
mu, sd = num[:n_tr].mean(), num[:n_tr].std()
num = (num - mu) / sd
t_mu, t_sd = target[:n_tr].mean(), target[:n_tr].std()
target = (target - t_mu) / t_sd

store_t = torch.tensor(store)
num_t = torch.tensor(num, dtype=torch.float32)
y_t = torch.tensor(target, dtype=torch.float32)


class TabularRegressor(nn.Module):
    def __init__(self, n_cat, emb_dim, n_num):
        super().__init__()
        self.emb = nn.Embedding(n_cat, emb_dim)
        self.mlp = nn.Sequential(nn.Linear(emb_dim + n_num, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, cat, x):
        return self.mlp(torch.cat([self.emb(cat), x], dim=1)).squeeze(1)


model = TabularRegressor(N_STORES, args.emb_dim, num.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
mse = nn.MSELoss()

for epoch in range(args.epochs):
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, args.batch_size):
        idx = perm[i:i + args.batch_size]
        loss = mse(model(store_t[idx], num_t[idx]), y_t[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    if epoch % 3 == 2:
        with torch.no_grad():
            tr = mse(model(store_t[:n_tr], num_t[:n_tr]), y_t[:n_tr]).item()
            va = mse(model(store_t[n_tr:], num_t[n_tr:]), y_t[n_tr:]).item()
        print(f"epoch {epoch + 1:2d} train_mse {tr:.4f} val_mse {va:.4f} (standardised target)")
