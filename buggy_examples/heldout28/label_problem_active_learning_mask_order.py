"""Pool-based active learning on sklearn digits (8x8) with a small CNN.

Start from 30 labelled images, then run 8 acquisition rounds: score the pool by
predictive entropy, "ask the oracle" for the 40 most uncertain images, move
them from the pool into the labelled set and fine-tune the same CNN (Adam
lr 2e-3, 30 steps of batch 32 per round; 270 steps in all).  Accuracy is
reported on a fixed held-out split after every round.

Seeded bug: the acquired rows are gathered two different ways - the features
with the entropy-ranked index array (`X_pool[query]`, most-uncertain first) and
the labels with a boolean mask (`y_pool[picked]`, which returns rows in pool
order).  Both select the same 40 images but in different orders, so within
every acquired batch the labels are permuted relative to the images and almost
all newly labelled examples carry another image's label.  A realistic slip when
mixing fancy indexing and masks in the pool bookkeeping.
Measured (fixed copy uses X_pool[picked] too): final test accuracy 0.607 vs
0.981, final test loss 1.099 vs 0.069, last-round train loss 1.60 vs 0.04.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]   # (N, 1, 8, 8)
y = digits.target.astype(np.int64)
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.3, random_state=3, stratify=y)

seed_idx = rng.choice(len(X_pool), 30, replace=False)
X_lab, y_lab = X_pool[seed_idx], y_pool[seed_idx]
X_pool = np.delete(X_pool, seed_idx, axis=0)
y_pool = np.delete(y_pool, seed_idx)

Xt_test, yt_test = torch.from_numpy(X_test), torch.from_numpy(y_test)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(x.flatten(1))


model = SmallCNN()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)


def fit(steps, bs=32):
    xl, yl = torch.from_numpy(X_lab), torch.from_numpy(y_lab)
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, len(xl), (min(bs, len(xl)),))
        loss = F.cross_entropy(model(xl[idx]), yl[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


@torch.no_grad()
def evaluate():
    model.eval()
    logits = model(Xt_test)
    return F.cross_entropy(logits, yt_test).item(), (logits.argmax(1) == yt_test).float().mean().item()


@torch.no_grad()
def entropy_scores(x):
    model.eval()
    p = F.softmax(model(torch.from_numpy(x)), 1)
    return -(p * p.clamp_min(1e-12).log()).sum(1).numpy()


n_rounds, per_round = 8, 40
train_loss = fit(30)
for rnd in range(n_rounds):
    query = np.argsort(-entropy_scores(X_pool))[:per_round]
    picked = np.zeros(len(X_pool), dtype=bool)
    picked[query] = True
    X_lab = np.concatenate([X_lab, X_pool[query]])
    y_lab = np.concatenate([y_lab, y_pool[picked]])
    X_pool, y_pool = X_pool[~picked], y_pool[~picked]
    train_loss = fit(30)
    te_loss, te_acc = evaluate()
    print(f"round {rnd}  labelled {len(y_lab):3d}  train loss {train_loss:.3f}  "
          f"test loss {te_loss:.3f}  test acc {te_acc:.3f}")

te_loss, te_acc = evaluate()
print(f"final: labelled {len(y_lab)}  test acc {te_acc:.3f}")
