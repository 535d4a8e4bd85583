"""
FT-Transformer-style tabular classifier on sklearn wine (13 standardised
features, 3 cultivars): per-feature linear tokenizer (x_j * W_j + b_j), a
learnable [CLS] token, one pre-norm transformer block (multi-head attention +
GELU feed-forward, d=24, 4 heads) and a linear head on [CLS]. SGD with momentum
0.9 (lr 0.02), batch 8, 11 epochs (176 steps), stratified 70/30 split.

Seeded bug: the stratified split is done by hand, class by class, and the
per-class index arrays are concatenated, so the training rows are grouped by
cultivar (all class 0, then class 1, then class 2). The DataLoader is created
with the default shuffle=False, so each epoch is ~5 batches of pure class 0,
~6 of class 1 and ~5 of class 2; with momentum SGD every block drags the
classifier towards its class and the epoch always ends on class 2.
Measured (seed 0, 176 steps): buggy final test accuracy 0.396 / test CE 3.20
vs fixed copy (shuffle=True) test accuracy 1.000 / test CE 0.069.
CPU time ~8.6 s.
"""
# traindebug-expect: unshuffled_data
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

D_TOKEN, N_HEADS = 24, 4
EPOCHS, BATCH, LR = 11, 8, 0.02
TRAIN_FRAC = 0.7

X, y = load_wine(return_X_y=True)

# stratified split, done per class so every class keeps the same train fraction
train_idx, test_idx = [], []
for c in np.unique(y):
    idx = rng.permutation(np.flatnonzero(y == c))
    n_tr = int(round(TRAIN_FRAC * len(idx)))
    train_idx.append(idx[:n_tr])
    test_idx.append(idx[n_tr:])
train_idx, test_idx = np.concatenate(train_idx), np.concatenate(test_idx)

mean, std = X[train_idx].mean(0), X[train_idx].std(0)
X = ((X - mean) / std).astype(np.float32)

train_ds = TensorDataset(torch.from_numpy(X[train_idx]), torch.from_numpy(y[train_idx]))
train_loader = DataLoader(train_ds, batch_size=BATCH)
X_test = torch.from_numpy(X[test_idx])
y_test = torch.from_numpy(y[test_idx])
print(f"train {len(train_ds)}  test {len(X_test)}  steps/epoch {len(train_loader)}")


class FeatureTokenizer(nn.Module):
    def __init__(self, n_features, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_features, d) / math.sqrt(d))
        self.bias = nn.Parameter(torch.zeros(n_features, d))

    def forward(self, x):
        return x.unsqueeze(-1) * self.weight + self.bias


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=-1)
        q, k, v = (t.reshape(b, n, self.heads, d // self.heads).transpose(1, 2) for t in (q, k, v))
        att = F.scaled_dot_product_attention(q, k, v)
        x = x + self.proj(att.transpose(1, 2).reshape(b, n, d))
        return x + self.ff(self.norm2(x))


class FTTransformer(nn.Module):
    def __init__(self, n_features, n_classes, d=24, heads=4):
        super().__init__()
        self.tokenizer = FeatureTokenizer(n_features, d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.block = Block(d, heads)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_classes))

    def forward(self, x):
        tokens = torch.cat([self.cls.expand(len(x), -1, -1), self.tokenizer(x)], dim=1)
        return self.head(self.block(tokens)[:, 0])


model = FTTransformer(X.shape[1], 3, D_TOKEN, N_HEADS)
opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(X_test)
        loss = F.cross_entropy(logits, y_test).item()
        acc = (logits.argmax(1) == y_test).float().mean().item()
    return loss, acc


step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(xb)
        step += 1
    if epoch % 3 == 0 or epoch == 1:
        te_loss, te_acc = evaluate()
        print(f"epoch {epoch:2d} step {step:3d}  train loss {running / len(train_ds):.4f}  "
              f"test loss {te_loss:.4f}  test acc {te_acc:.3f}")

te_loss, te_acc = evaluate()
print(f"final test loss {te_loss:.4f}  test accuracy {te_acc:.3f}")
