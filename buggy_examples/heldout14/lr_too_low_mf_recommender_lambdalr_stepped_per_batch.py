"""Biased matrix-factorisation recommender on generated 1-5 star ratings, Adam +
LambdaLR (2-epoch warm-up, then 0.8**epoch decay), hand-written loop.

Seeded bug (lr_too_low): the lambda is written in *epochs* but sched.step() is
called after every mini-batch (25 batches per epoch), so the learning rate is
multiplied by 0.8 every optimizer step and is ~1e-4 after one epoch and ~1e-29
by the end; the embeddings barely move after the first ~30 steps.
Measured (300 steps): buggy train RMSE 1.034 / val RMSE 1.041 (global-mean
baseline 1.057); fixed (sched.step() once per epoch) train RMSE 0.360 / val RMSE 0.596.
"""
# traindebug-expect: lr_too_low
import math
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

# ---- synthetic explicit-feedback ratings -------------------------------------
N_USERS, N_ITEMS, RANK_TRUE = 300, 200, 4
U_true = rng.normal(size=(N_USERS, RANK_TRUE))
V_true = rng.normal(size=(N_ITEMS, RANK_TRUE))
user_bias = rng.normal(scale=0.3, size=N_USERS)
item_bias = rng.normal(scale=0.3, size=N_ITEMS)

n_obs = 12000
u_idx = rng.integers(0, N_USERS, n_obs)
i_idx = rng.integers(0, N_ITEMS, n_obs)
raw = (U_true[u_idx] * V_true[i_idx]).sum(1) / math.sqrt(RANK_TRUE) + user_bias[u_idx] + item_bias[i_idx]
ratings = np.clip(np.round(3.0 + raw + rng.normal(scale=0.3, size=n_obs)), 1, 5)

perm = rng.permutation(n_obs)
tr, va = perm[:10000], perm[10000:]
U = torch.as_tensor(u_idx); I = torch.as_tensor(i_idx); R = torch.as_tensor(ratings, dtype=torch.float32)
GLOBAL_MEAN = R[tr].mean().item()


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k):
        super().__init__()
        self.P = nn.Embedding(n_users, k)
        self.Q = nn.Embedding(n_items, k)
        self.bu = nn.Embedding(n_users, 1)
        self.bi = nn.Embedding(n_items, 1)
        nn.init.normal_(self.P.weight, std=0.1)
        nn.init.normal_(self.Q.weight, std=0.1)
        nn.init.zeros_(self.bu.weight)
        nn.init.zeros_(self.bi.weight)

    def forward(self, u, i):
        dot = (self.P(u) * self.Q(i)).sum(-1)
        return GLOBAL_MEAN + dot + self.bu(u).squeeze(-1) + self.bi(i).squeeze(-1)


model = BiasedMF(N_USERS, N_ITEMS, k=8)
opt = torch.optim.Adam(model.parameters(), lr=2e-2)

EPOCHS, BATCH, WARMUP = 12, 400, 2
steps_per_epoch = math.ceil(len(tr) / BATCH)


def lr_lambda(epoch):
    # linear warm-up for the first epoch, then exponential decay
    if epoch < WARMUP:
        return (epoch + 1) / WARMUP
    return 0.8 ** (epoch - WARMUP)


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)


def rmse(idx):
    with torch.no_grad():
        pred = model(U[idx], I[idx]).clamp(1, 5)
        return torch.sqrt(((pred - R[idx]) ** 2).mean()).item()


print(f"baseline (global mean) val RMSE: {torch.sqrt(((R[va] - GLOBAL_MEAN) ** 2).mean()).item():.4f}")
step = 0
for epoch in range(EPOCHS):
    order = torch.as_tensor(rng.permutation(tr))
    running = 0.0
    for b in range(steps_per_epoch):
        idx = order[b * BATCH:(b + 1) * BATCH]
        pred = model(U[idx], I[idx])
        loss = ((pred - R[idx]) ** 2).mean() + 1e-4 * (model.P(U[idx]).pow(2).sum() + model.Q(I[idx]).pow(2).sum()) / len(idx)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running += loss.item()
        step += 1
    print(f"epoch {epoch:2d} step {step:4d} lr {opt.param_groups[0]['lr']:.2e} train_loss {running / steps_per_epoch:.4f} val_rmse {rmse(va):.4f}")

print(f"final train RMSE {rmse(tr):.4f}  val RMSE {rmse(va):.4f}")
