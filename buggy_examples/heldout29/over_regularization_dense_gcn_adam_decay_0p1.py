"""Two-layer Kipf & Welling GCN with a dense symmetric-normalised adjacency
(A + I), for semi-supervised node classification on a synthetic citation-style
graph: 600 nodes, 5 classes, sparse row-normalised bag-of-words features
(200 words), 20 labelled nodes per class.  Hidden 64, dropout 0.5, Adam
lr 0.01, full batch, 200 epochs; best-validation checkpoint is restored for
the test evaluation.  Hyper-parameters in a dict.

Seeded bug: "weight_decay": 0.1 - a value taken from AdamW/transformer recipes
- is passed to torch.optim.Adam, where it is a coupled L2 term added to the
gradient (and then normalised by Adam).  With only 100 labelled nodes the
cross-entropy gradient is tiny compared with 0.1 * w, so the decay dominates
every update: all weights are pulled to ~0, the logits collapse to almost
the same value for every node and the train loss stalls at ~1.58 (close to
log 5 = 1.61).  The usual GCN setting is 5e-4.
Measured (fixed copy uses weight_decay 5e-4): test accuracy 0.217 vs 0.837,
best val accuracy 0.220 vs 0.835, final train loss 1.582 vs 0.19.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(1)

HPARAMS = {
    "hidden": 64,
    "dropout": 0.5,
    "lr": 0.01,
    "weight_decay": 0.1,
    "epochs": 200,
}

# ------------------------------------------------------------------ citation-style SBM graph
N, C, D = 600, 5, 200
labels = rng.integers(0, C, N)
p = np.where(labels[:, None] == labels[None, :], 0.03, 0.002)
A = np.triu(rng.random((N, N)) < p, 1)
A = (A | A.T).astype(np.float32)

# sparse bag-of-words features: each class prefers its own slice of the vocabulary
word_pref = np.full((C, D), 0.01)
for c in range(C):
    word_pref[c, c * (D // C):(c + 1) * (D // C)] = 0.03
X = (rng.random((N, D)) < word_pref[labels]).astype(np.float32)
X = X / np.maximum(X.sum(1, keepdims=True), 1)

A_hat = A + np.eye(N, dtype=np.float32)
d_inv_sqrt = 1.0 / np.sqrt(A_hat.sum(1))
A_norm = torch.tensor(d_inv_sqrt[:, None] * A_hat * d_inv_sqrt[None, :])
X = torch.tensor(X)
y = torch.tensor(labels)

idx = torch.randperm(N)
train_mask = torch.zeros(N, dtype=torch.bool); train_mask[idx[:20 * C]] = True
val_mask = torch.zeros(N, dtype=torch.bool); val_mask[idx[20 * C:20 * C + 200]] = True
test_mask = torch.zeros(N, dtype=torch.bool); test_mask[idx[20 * C + 200:]] = True
print(f"{N} nodes, {int(A.sum()) // 2} edges, {int(train_mask.sum())} labelled")


class GCN(nn.Module):
    def __init__(self, d_in, hidden, n_cls, dropout):
        super().__init__()
        self.w1 = nn.Linear(d_in, hidden)
        self.w2 = nn.Linear(hidden, n_cls)
        self.dropout = dropout

    def forward(self, x, a):
        x = F.dropout(x, self.dropout, self.training)
        h = F.relu(a @ self.w1(x))
        h = F.dropout(h, self.dropout, self.training)
        return a @ self.w2(h)


model = GCN(D, HPARAMS["hidden"], C, HPARAMS["dropout"])
optimizer = torch.optim.Adam(model.parameters(), lr=HPARAMS["lr"], weight_decay=HPARAMS["weight_decay"])


def accuracy(logits, mask):
    return (logits[mask].argmax(1) == y[mask]).float().mean().item()


best_val, best_state = 0.0, None
for epoch in range(1, HPARAMS["epochs"] + 1):
    model.train()
    optimizer.zero_grad()
    out = model(X, A_norm)
    loss = F.cross_entropy(out[train_mask], y[train_mask])
    loss.backward()
    optimizer.step()

    model.eval()
    with torch.no_grad():
        out = model(X, A_norm)
        val_loss = F.cross_entropy(out[val_mask], y[val_mask]).item()
        val_acc = accuracy(out, val_mask)
    if val_acc > best_val:
        best_val = val_acc
        best_state = {k: v.clone() for k, v in model.state_dict().items()}
    if epoch % 50 == 0 or epoch == 1:
        print(f"epoch {epoch:3d}  train loss {loss.item():.4f}  train acc {accuracy(out, train_mask):.3f}  "
              f"val loss {val_loss:.4f}  val acc {val_acc:.3f}")

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    out = model(X, A_norm)
print(f"best val acc {best_val:.3f}  test acc {accuracy(out, test_mask):.3f}")
