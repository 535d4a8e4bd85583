"""Churn classifier on store-level aggregated features (numpy groupby via argsort/reduceat).

Seeded bug (label_problem): the feature matrix is built from rows re-ordered by
`np.argsort(store_id)` for the group-mean computation, but the labels are taken
in the original row order (`targets = label` instead of `label[order]`), so
features and labels are misaligned and labels carry no signal about the inputs.
Measured: buggy train loss 0.696 -> 0.680, test acc 0.49 (chance);
fixed (`targets = label[order]`): train loss 0.087, test acc 0.937.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
rng = np.random.default_rng(7)
torch.manual_seed(7)

# --- synthetic transaction log: one row per (store, week) -----------------
n_stores, n_rows = 40, 2400
store_id = rng.integers(0, n_stores, size=n_rows)
store_effect = rng.normal(0, 1.0, size=(n_stores, 3))
raw = rng.normal(0, 1, size=(n_rows, 6))
raw[:, :3] += store_effect[store_id]
# churn label depends on the row's own deviation from its store's typical value
logit = 2.0 * (raw[:, 0] - store_effect[store_id, 0]) - 1.5 * raw[:, 4] + raw[:, 5]
label = (logit + 0.3 * rng.normal(size=n_rows) > 0).astype(np.int64)

# --- groupby(store).transform('mean') done with argsort/reduceat -----------
order = np.argsort(store_id, kind="stable")
sid_sorted = store_id[order]
raw_sorted = raw[order]
starts = np.flatnonzero(np.r_[True, sid_sorted[1:] != sid_sorted[:-1]])
counts = np.diff(np.r_[starts, n_rows])
group_mean = np.add.reduceat(raw_sorted, starts, axis=0) / counts[:, None]
expanded = np.repeat(group_mean, counts, axis=0)
features = np.concatenate([raw_sorted, raw_sorted - expanded], axis=1).astype(np.float32)
targets = label

# --- split / scale ---------------------------------------------------------
perm = rng.permutation(n_rows)
tr, te = perm[:1800], perm[1800:]
mu, sd = features[tr].mean(0), features[tr].std(0) + 1e-6
Xtr = torch.from_numpy((features[tr] - mu) / sd)
Xte = torch.from_numpy((features[te] - mu) / sd)
ytr = torch.from_numpy(targets[tr])
yte = torch.from_numpy(targets[te])

model = nn.Sequential(
    nn.Linear(12, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 2),
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
loss_fn = nn.CrossEntropyLoss()

batch = 64
steps = 0
for epoch in range(10):
    idx = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(idx), batch):
        b = idx[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(Xtr[b]), ytr[b])
        loss.backward()
        opt.step()
        running += loss.item() * len(b)
        steps += 1
    if epoch % 3 == 0 or epoch == 9:
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch:2d}  train_loss {running / len(idx):.4f}  test_acc {acc:.3f}")
print("optimizer steps:", steps)
