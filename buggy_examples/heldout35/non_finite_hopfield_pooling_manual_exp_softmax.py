"""
Modern Hopfield pooling classifier on load_digits (pixels / 16, 70/30 split): a GELU query
MLP (64 -> 32 -> 32), a HopfieldPooling layer that retrieves from 32 learned memory patterns
with xi_new = M^T softmax(beta * M q) (beta = 8), and a linear head on [query, retrieved];
cross-entropy, RMSprop lr 1e-3, DataLoader batch 64, 10 epochs (200 steps).

Seeded bug: the retrieval softmax is written by hand as scores.exp() / sum(exp) without
subtracting the row maximum. With beta = 8 and unnormalised queries/memories whose norms grow
during training, some scores pass ~88 and exp() overflows float32 to inf; inf / inf gives
NaN attention weights, and NaN propagates into the loss and every parameter.

Measured (seed 0, 1 thread): buggy: test accuracy 0.865 at epoch 8, then test loss NaN,
train loss NaN in epoch 9, final test accuracy 0.100. Fixed copy (torch.softmax(scores,
dim=1)): train loss 2.16 -> 0.52, test loss 0.543, test accuracy 0.878.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class HopfieldPooling(nn.Module):
    """Modern Hopfield retrieval: xi_new = X^T softmax(beta * X xi) over learned memories."""

    def __init__(self, dim, n_memories=32, beta=8.0):
        super().__init__()
        self.memories = nn.Parameter(torch.randn(n_memories, dim))
        self.beta = beta

    def forward(self, query):
        scores = self.beta * query @ self.memories.t()
        weights = scores.exp()
        weights = weights / weights.sum(dim=1, keepdim=True)
        return weights @ self.memories


class HopfieldNet(nn.Module):
    def __init__(self, in_dim=64, dim=32, n_classes=10):
        super().__init__()
        self.query = nn.Sequential(nn.Linear(in_dim, dim), nn.GELU(), nn.Linear(dim, dim))
        self.hopfield = HopfieldPooling(dim)
        self.head = nn.Linear(2 * dim, n_classes)

    def forward(self, x):
        q = self.query(x)
        r = self.hopfield(q)
        return self.head(torch.cat([q, r], dim=1))


X, y = load_digits(return_X_y=True)
X = X / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
train_dl = DataLoader(TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr)),
                      batch_size=64, shuffle=True)
X_te = torch.tensor(X_te, dtype=torch.float32)
y_te = torch.tensor(y_te)

model = HopfieldNet()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)

step = 0
for epoch in range(10):
    model.train()
    losses = []
    for xb, yb in train_dl:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
    model.eval()
    with torch.no_grad():
        logits = model(X_te)
        test_loss = F.cross_entropy(logits, y_te).item()
        acc = (logits.argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch} step {step} train_loss {np.mean(losses):.4f} test_loss {test_loss:.4f} test_acc {acc:.3f}")
print(f"final test_acc {acc:.3f}")
