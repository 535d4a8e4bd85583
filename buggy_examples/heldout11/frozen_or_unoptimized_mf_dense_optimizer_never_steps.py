"""
Seeded bug (frozen_or_unoptimized): explicit-feedback matrix factorisation
(rating = mu + b_u + b_i + p_u . q_i). The large factor tables use sparse
gradients with SparseAdam, and the dense parameters (global mean, user and
item bias embeddings) get their own Adam optimizer. Both optimizers are
zeroed each step, but only the sparse one is stepped, so the bias terms
receive gradients every step and never change (global mean stays at 0 while
ratings average ~3.6; the factors have to absorb the offset).

Measured (this script vs. a copy that also calls dense_opt.step()):
global_bias and all bias embeddings stay exactly 0.000 (global_bias reaches
1.40 when stepped, the rest of the offset going into the bias tables); after
272 steps train RMSE 0.645 vs 0.458, test RMSE 0.646 vs 0.551 (the first two
epochs are spent with RMSE > 3 while the L2-penalised factors try to absorb
the ~3.6 rating offset; 2.14 and 0.73 in the fixed copy).
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(1)

N_USERS, N_ITEMS, K_TRUE = 600, 400, 5
P = rng.normal(0, 0.45, (N_USERS, K_TRUE))
Q = rng.normal(0, 0.45, (N_ITEMS, K_TRUE))
b_user = rng.normal(0, 0.35, N_USERS)
b_item = rng.normal(0, 0.5, N_ITEMS)
n = 40000
u = rng.integers(0, N_USERS, n)
i = rng.integers(0, N_ITEMS, n)
r = 3.6 + b_user[u] + b_item[i] + (P[u] * Q[i]).sum(1) + rng.normal(0, 0.5, n)
r = np.clip(r, 1.0, 5.0).astype(np.float32)

perm = rng.permutation(n)
tr, te = perm[:34000], perm[34000:]
u_tr, i_tr, r_tr = map(torch.as_tensor, (u[tr], i[tr], r[tr]))
u_te, i_te, r_te = map(torch.as_tensor, (u[te], i[te], r[te]))


class BiasedMF(nn.Module):
    def __init__(self, n_users, n_items, k=16):
        super().__init__()
        self.user_factors = nn.Embedding(n_users, k, sparse=True)
        self.item_factors = nn.Embedding(n_items, k, sparse=True)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.global_bias = nn.Parameter(torch.zeros(1))
        nn.init.normal_(self.user_factors.weight, std=0.05)
        nn.init.normal_(self.item_factors.weight, std=0.05)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, users, items):
        pu, qi = self.user_factors(users), self.item_factors(items)
        pred = (self.global_bias + self.user_bias(users).squeeze(-1)
                + self.item_bias(items).squeeze(-1) + (pu * qi).sum(-1))
        # per-example L2 on the factors that were looked up (sparse-friendly)
        reg = (pu.pow(2).sum(-1) + qi.pow(2).sum(-1)).mean()
        return pred, reg


model = BiasedMF(N_USERS, N_ITEMS)
sparse_params = [model.user_factors.weight, model.item_factors.weight]
dense_params = [p for p in model.parameters() if all(p is not q for q in sparse_params)]
sparse_opt = torch.optim.SparseAdam(sparse_params, lr=1e-2)
dense_opt = torch.optim.Adam(dense_params, lr=5e-2)
loss_fn = nn.MSELoss()
REG = 0.05

BATCH, EPOCHS = 1024, 8
step = 0
for epoch in range(EPOCHS):
    order = torch.randperm(len(r_tr))
    sq = 0.0
    for s in range(0, len(order), BATCH):
        idx = order[s:s + BATCH]
        pred, reg = model(u_tr[idx], i_tr[idx])
        mse = loss_fn(pred, r_tr[idx])
        loss = mse + REG * reg
        sparse_opt.zero_grad()
        dense_opt.zero_grad()
        loss.backward()
        sparse_opt.step()
        sq += mse.item() * len(idx)
        step += 1
    with torch.no_grad():
        rmse_te = torch.sqrt(loss_fn(model(u_te, i_te)[0], r_te)).item()
    print(f"epoch {epoch}  train rmse {np.sqrt(sq / len(order)):.3f}  test rmse {rmse_te:.3f}")

baseline = torch.sqrt(((r_te - r_tr.mean()) ** 2).mean()).item()
print(f"steps {step}  global_bias {model.global_bias.item():.3f}  "
      f"mean-predictor rmse {baseline:.3f}")
