"""Biased matrix factorisation for explicit ratings (collaborative filtering)
with nn.Embedding(sparse=True) tables trained by torch.optim.SparseAdam, plus
a dense Adam for the global offset. Ratings come from a synthetic rank-5
model with user/item biases and noise.

Seeded bug: the L2 penalty on the embedding rows used in the batch is a sum
over the batch (l2 * (p^2).sum()) while the data term is a per-example mean,
so the effective regularisation is batch_size (128) times the intended
l2=0.02. The decay term swamps the data gradient and drives the factor
tables towards zero; the model degenerates to a biases-only predictor.

Measured (4 epochs, 344 steps): buggy |P| 1.82 -> 0.12, |Q| 0.93 -> 0.03,
train RMSE 0.906, test RMSE 0.930 (global-mean baseline 1.067); dividing the
penalty by the batch size: |P| 26.6, |Q| 22.8, train RMSE 0.49, test RMSE
0.739.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)

# ---- synthetic explicit-feedback data from a rank-5 model -------------------
N_USERS, N_ITEMS, RANK = 400, 250, 5
U_true = rng.normal(0, 1, (N_USERS, RANK)) / np.sqrt(RANK)
V_true = rng.normal(0, 1, (N_ITEMS, RANK))
b_u = rng.normal(0, 0.3, N_USERS)
b_i = rng.normal(0, 0.5, N_ITEMS)
n_obs = 14000
users = rng.integers(0, N_USERS, n_obs)
items = rng.integers(0, N_ITEMS, n_obs)
ratings = 3.5 + b_u[users] + b_i[items] + (U_true[users] * V_true[items]).sum(1) \
    + 0.3 * rng.standard_normal(n_obs)
ratings = np.clip(ratings, 1, 5).astype(np.float32)

perm = rng.permutation(n_obs)
tr, te = perm[:11000], perm[11000:]
to_t = lambda a: torch.as_tensor(a)
u_tr, i_tr, r_tr = to_t(users[tr]), to_t(items[tr]), to_t(ratings[tr])
u_te, i_te, r_te = to_t(users[te]), to_t(items[te]), to_t(ratings[te])
global_mean = r_tr.mean().item()


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, dim, mu):
        super().__init__()
        self.P = nn.Embedding(n_users, dim, sparse=True)
        self.Q = nn.Embedding(n_items, dim, sparse=True)
        self.bu = nn.Embedding(n_users, 1, sparse=True)
        self.bi = nn.Embedding(n_items, 1, sparse=True)
        for e in (self.P, self.Q):
            nn.init.normal_(e.weight, std=0.1)
        for e in (self.bu, self.bi):
            nn.init.zeros_(e.weight)
        self.mu = nn.Parameter(torch.tensor(mu))

    def forward(self, u, i):
        p, q = self.P(u), self.Q(i)
        pred = self.mu + self.bu(u).squeeze(-1) + self.bi(i).squeeze(-1) + (p * q).sum(-1)
        return pred, p, q


model = BiasedMF(N_USERS, N_ITEMS, 16, global_mean)
sparse_params = [model.P.weight, model.Q.weight, model.bu.weight, model.bi.weight]
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=1e-2)
opt_dense = torch.optim.Adam([model.mu], lr=1e-2)

l2 = 0.02
bs = 128
step = 0
for epoch in range(4):
    order = torch.randperm(len(u_tr))
    mse_sum = 0.0
    for s in range(0, len(order), bs):
        idx = order[s:s + bs]
        pred, p, q = model(u_tr[idx], i_tr[idx])
        mse = ((pred - r_tr[idx]) ** 2).mean()
        # L2 only on the rows touched by this batch (keeps gradients sparse)
        reg = l2 * (p.pow(2).sum() + q.pow(2).sum())
        loss = mse + reg
        opt_sparse.zero_grad()
        opt_dense.zero_grad()
        loss.backward()
        opt_sparse.step()
        opt_dense.step()
        mse_sum += mse.item() * len(idx)
        step += 1
    with torch.no_grad():
        pte, _, _ = model(u_te, i_te)
        rmse = (pte.clamp(1, 5) - r_te).pow(2).mean().sqrt().item()
        base = (global_mean - r_te).pow(2).mean().sqrt().item()
    print(f"epoch {epoch} step {step} train_rmse {np.sqrt(mse_sum / len(order)):.4f} "
          f"test_rmse {rmse:.4f} (global-mean baseline {base:.4f}) "
          f"|P| {model.P.weight.norm():.2f} |Q| {model.Q.weight.norm():.2f}")
