"""Tabular 3-class model with an nn.ModuleDict of branches (numeric MLP +
categorical embedding) and a linear head over the concatenated features,
trained with AdamW using a decay / no-decay parameter-group split.

Seeded bug: the parameter-group loop puts biases and LayerNorm params into
no_decay and "weight and not embedding" into decay, but has no else branch,
so the embedding table (branches.categorical.emb.weight) ends up in neither
group. It still receives gradients every step but is never updated, leaving
the 60-level categorical feature represented by frozen random vectors.

Measured (300 steps): buggy val_loss 0.828, val_acc 0.621 (train loss stalls at
0.76); fixed copy (embedding put into no_decay) val_loss 0.519, val_acc 0.779.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# Synthetic tabular data: 8 numeric features + one high-cardinality categorical
# column (e.g. store id). The target is a churn-style 3-class label.
N, N_NUM, N_CAT, N_CLASSES = 4000, 8, 60, 3
rng = np.random.default_rng(0)
x_num = rng.normal(size=(N, N_NUM)).astype(np.float32)
x_cat = rng.integers(0, N_CAT, size=N)
cat_effect = rng.normal(scale=2.0, size=(N_CAT, N_CLASSES))
w_num = rng.normal(scale=0.7, size=(N_NUM, N_CLASSES))
logits = x_num @ w_num + cat_effect[x_cat]
y = np.array([rng.choice(N_CLASSES, p=np.exp(l) / np.exp(l).sum()) for l in logits])

x_num = torch.tensor(x_num)
x_cat = torch.tensor(x_cat, dtype=torch.long)
y = torch.tensor(y, dtype=torch.long)
n_tr = 3200
tr, va = slice(0, n_tr), slice(n_tr, N)


class CategoricalBranch(nn.Module):
    def __init__(self, n_cat, dim):
        super().__init__()
        self.emb = nn.Embedding(n_cat, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, c):
        return self.norm(self.emb(c))


class MultiBranchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.branches = nn.ModuleDict({
            "numeric": nn.Sequential(nn.Linear(N_NUM, 32), nn.ReLU(), nn.Linear(32, 16)),
            "categorical": CategoricalBranch(N_CAT, 6),
        })
        self.head = nn.Linear(16 + 6, N_CLASSES)

    def forward(self, num, cat):
        feats = [self.branches["numeric"](num), self.branches["categorical"](cat)]
        return self.head(torch.cat(feats, dim=1))


model = MultiBranchNet()

# AdamW with the usual decay / no-decay split (no decay on biases and norms).
decay, no_decay = [], []
for name, p in model.named_parameters():
    if name.endswith("bias") or ".norm." in name:
        no_decay.append(p)
    elif name.endswith("weight") and ".emb." not in name:
        decay.append(p)
optimizer = torch.optim.AdamW([
    {"params": decay, "weight_decay": 1e-2},
    {"params": no_decay, "weight_decay": 0.0},
], lr=1e-2)

BATCH = 128
for epoch in range(12):
    model.train()
    perm = torch.randperm(n_tr)
    tot = 0.0
    for i in range(0, n_tr, BATCH):
        j = perm[i:i + BATCH]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x_num[j], x_cat[j]), y[j])
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(j)
    model.eval()
    with torch.no_grad():
        out = model(x_num[va], x_cat[va])
        vl = F.cross_entropy(out, y[va]).item()
        acc = (out.argmax(1) == y[va]).float().mean().item()
    print(f"epoch {epoch+1:2d} train_loss {tot/n_tr:.4f} val_loss {vl:.4f} val_acc {acc:.3f}")
