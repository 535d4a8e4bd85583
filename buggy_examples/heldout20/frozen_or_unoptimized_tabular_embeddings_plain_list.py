"""Seeded bug: the tabular model keeps its per-column category embeddings in a
plain Python list (``self.cat_embs = [nn.Embedding(...) ...]``) instead of an
``nn.ModuleList``.  The embeddings still take part in the forward pass and get
``.grad`` filled on every backward, but they are not registered, so
``model.parameters()`` -- and therefore the optimizer -- never sees them and
they stay at their random initialisation.

Measured effect (buggy vs fixed copy, nn.ModuleList): final train MSE 0.100 vs 0.007,
validation MSE 0.099 vs 0.007 (target variance 1): 14x worse.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

CARDINALITIES = [12, 30, 7]      # store_id, product_group, weekday
N_NUM = 4
N = 6000

cats = np.stack([rng.integers(0, c, N) for c in CARDINALITIES], 1)
nums = rng.normal(size=(N, N_NUM)).astype(np.float32)
effects = [rng.normal(size=c) for c in CARDINALITIES]
target = sum(e[cats[:, j]] for j, e in enumerate(effects))
target += 0.8 * effects[0][cats[:, 0]] * effects[2][cats[:, 2]]
target += nums @ np.array([0.3, -0.2, 0.1, 0.0]) + 0.1 * rng.normal(size=N)
target = ((target - target.mean()) / target.std()).astype(np.float32)

cats, nums, target = torch.from_numpy(cats), torch.from_numpy(nums), torch.from_numpy(target)
split = 5000


class TabularRegressor(nn.Module):
    def __init__(self, cardinalities, n_num, emb_dim=8, hidden=64):
        super().__init__()
        self.cat_embs = [nn.Embedding(c, emb_dim) for c in cardinalities]
        self.num_norm = nn.BatchNorm1d(n_num)
        in_dim = emb_dim * len(cardinalities) + n_num
        self.body = nn.Sequential(nn.Linear(in_dim, hidden), nn.SiLU(),
                                  nn.Linear(hidden, hidden), nn.SiLU(),
                                  nn.Linear(hidden, 1))

    def forward(self, x_cat, x_num):
        embs = [emb(x_cat[:, j]) for j, emb in enumerate(self.cat_embs)]
        h = torch.cat(embs + [self.num_norm(x_num)], dim=1)
        return self.body(h).squeeze(1)


model = TabularRegressor(CARDINALITIES, N_NUM)
optimizer = torch.optim.RMSprop(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
loss_fn = nn.MSELoss()

for epoch in range(12):
    model.train()
    perm = torch.randperm(split)
    running = 0.0
    for i in range(0, split, 200):
        idx = perm[i:i + 200]
        loss = loss_fn(model(cats[idx], nums[idx]), target[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(cats[split:], nums[split:]), target[split:]).item()
    if epoch % 3 == 2:
        print(f"epoch {epoch+1:2d} train_mse {running/split:.4f} val_mse {val:.4f}")
