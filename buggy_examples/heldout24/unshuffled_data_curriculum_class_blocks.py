"""Curriculum-learning loop on generated 3-class blob data: for 3 warm-up epochs only the
easiest examples (by margin to the nearest rival centroid) are used, growing pool size;
afterwards the curriculum is switched off and all examples are used.

Seeded bug: the data are generated class by class, and nothing ever shuffles them. During
warm-up the pool is ordered by a stable argsort of coarse difficulty buckets (so within a
bucket samples remain grouped by class), and after warm-up curriculum_pool() returns
np.arange(n), i.e. the original class-sorted order. Batches are cut sequentially, so each
batch holds a single class and every epoch ends on ~9 consecutive class-2 batches.

Measured (this script vs. a copy that shuffles the pool each epoch, same SGD settings):
final train loss 0.495 vs 0.236, test accuracy 0.787 vs 0.859; test predictions per
class [151, 198, 246] vs [216, 207, 172] (true [223, 188, 184]); a mid-run epoch drops to
0.444 test accuracy.
"""
# traindebug-expect: unshuffled_data
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
SEED = 5
rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)

N_CLASSES, DIM, PER_CLASS = 3, 16, 800

# ---- data: one Gaussian blob per class, generated class by class -------------
centers = rng.normal(0, 1.0, size=(N_CLASSES, DIM))
X_parts, y_parts = [], []
for c in range(N_CLASSES):
    X_parts.append(centers[c] + rng.normal(0, 1.4, size=(PER_CLASS, DIM)))
    y_parts.append(np.full(PER_CLASS, c))
X_all = np.concatenate(X_parts).astype(np.float32)
y_all = np.concatenate(y_parts)
test_mask = rng.random(len(X_all)) < 0.25
X_tr, y_tr = X_all[~test_mask], y_all[~test_mask]
X_te, y_te = torch.from_numpy(X_all[test_mask]), torch.from_numpy(y_all[test_mask])


# ---- curriculum: score difficulty by margin to the nearest rival centroid ----
def difficulty_buckets(X, y, n_buckets=3):
    cents = np.stack([X[y == c].mean(0) for c in range(N_CLASSES)])
    d = ((X[:, None, :] - cents[None]) ** 2).sum(-1)
    own = d[np.arange(len(X)), y]
    d[np.arange(len(X)), y] = np.inf
    margin = d.min(1) - own
    edges = np.quantile(margin, np.linspace(0, 1, n_buckets + 1)[1:-1])
    return (n_buckets - 1) - np.digitize(margin, edges)  # 0 = easy ... n_buckets-1 = hard


bucket = difficulty_buckets(X_tr, y_tr)
order = np.argsort(bucket, kind="stable")  # easy first, ties keep their order


def curriculum_pool(epoch, warm=3, start=0.4):
    """Easy examples first; after the warm-up phase every example is in play."""
    if epoch >= warm:
        return np.arange(len(order))
    frac = start + (1.0 - start) * epoch / warm
    return order[: math.ceil(frac * len(order))]


Xt, yt = torch.from_numpy(X_tr), torch.from_numpy(y_tr)
model = nn.Sequential(nn.Linear(DIM, 64), nn.ReLU(), nn.Linear(64, N_CLASSES))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
EPOCHS, BS = 10, 64
steps = 0
for epoch in range(EPOCHS):
    pool = curriculum_pool(epoch)
    model.train()
    losses = []
    for i in range(0, len(pool), BS):
        idx = torch.from_numpy(pool[i:i + BS])
        loss = F.cross_entropy(model(Xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        steps += 1
    model.eval()
    with torch.no_grad():
        full_loss = F.cross_entropy(model(Xt), yt).item()
        te_acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch:2d} pool {len(pool):4d} batch_loss {np.mean(losses):.4f} "
          f"train_loss {full_loss:.4f} test_acc {te_acc:.3f}")
print("optimizer steps:", steps)
with torch.no_grad():
    pred = model(X_te).argmax(1)
print("test predictions per class:", torch.bincount(pred, minlength=N_CLASSES).tolist(),
      "true:", torch.bincount(y_te, minlength=N_CLASSES).tolist())
