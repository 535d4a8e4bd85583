"""Matrix-factorisation recommender (user/item nn.Embedding + biases) on synthetic
low-rank ratings, metrics logged to a history dict.

Seeded bug (overfitting): 64-dimensional user/item embeddings for only ~21
training ratings per user, no weight decay / L2 on the embeddings, a fixed
24-epoch budget and the final weights are kept (no early stopping).  The
factors memorise the rating noise.

Measured: train RMSE falls 1.18 -> 0.27 while validation RMSE bottoms out at
1.121 (epoch 9) and then climbs to 1.148 at the end.  Fixed copy
(weight_decay=1e-3, otherwise identical): train RMSE 0.35, val RMSE keeps
improving to 1.050.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# ---- synthetic explicit-feedback ratings (low-rank + noise) ----
n_users, n_items, true_rank = 150, 100, 3
U = np.random.randn(n_users, true_rank) * 0.8
V = np.random.randn(n_items, true_rank) * 0.8
n_obs = 4000
u = np.random.randint(0, n_users, n_obs)
i = np.random.randint(0, n_items, n_obs)
r = 3.5 + (U[u] * V[i]).sum(1) + 0.9 * np.random.randn(n_obs)
r = np.clip(r, 1.0, 5.0).astype(np.float32)

perm = np.random.permutation(n_obs)
n_tr = int(0.8 * n_obs)
tr, va = perm[:n_tr], perm[n_tr:]
u_t, i_t, r_t = map(torch.as_tensor, (u, i, r))


class MF(nn.Module):
    def __init__(self, n_users, n_items, dim):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.ub = nn.Embedding(n_users, 1)
        self.ib = nn.Embedding(n_items, 1)
        for e in (self.user, self.item):
            nn.init.normal_(e.weight, std=0.1)
        nn.init.zeros_(self.ub.weight)
        nn.init.zeros_(self.ib.weight)
        self.mu = nn.Parameter(torch.tensor(3.5))

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(-1)
        return self.mu + dot + self.ub(u).squeeze(-1) + self.ib(i).squeeze(-1)


model = MF(n_users, n_items, dim=64)
opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=0.0)
loss_fn = nn.MSELoss()
bs = 256
history = {"train_rmse": [], "val_rmse": []}

for epoch in range(24):
    model.train()
    order = tr[np.random.permutation(len(tr))]
    tot = 0.0
    for s in range(0, len(order), bs):
        idx = torch.as_tensor(order[s:s + bs])
        pred = model(u_t[idx], i_t[idx])
        loss = loss_fn(pred, r_t[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        vidx = torch.as_tensor(va)
        vloss = loss_fn(model(u_t[vidx], i_t[vidx]), r_t[vidx]).item()
    history["train_rmse"].append((tot / len(order)) ** 0.5)
    history["val_rmse"].append(vloss ** 0.5)
    if epoch % 4 == 0 or epoch == 24 - 1:
        print(f"epoch {epoch:2d}  train_rmse {history['train_rmse'][-1]:.3f}  val_rmse {history['val_rmse'][-1]:.3f}")

best = int(np.argmin(history["val_rmse"]))
print(f"final val_rmse {history['val_rmse'][-1]:.3f} (best {history['val_rmse'][best]:.3f} at epoch {best})")
