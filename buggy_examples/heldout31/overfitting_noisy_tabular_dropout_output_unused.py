"""
Wide MLP (30 -> 256 -> 256 -> 2, ReLU, dropout 0.5 intended after each hidden layer) on a small
noisy tabular problem (make_classification, 20 % label noise, 240 training rows, 960 validation
rows), RMSprop lr 5e-4, batch 24, 30 epochs (300 steps); train and validation loss computed under
torch.no_grad() after every epoch.

Seeded bug: in forward, `self.dropout(h)` is called but its result is not assigned, so no dropout
is applied at all (nn.Dropout is not in-place). The over-parameterised net memorises the noisy
training labels: train loss -> 0.003 while validation loss climbs steadily. Realistic: a
statement-style call that reads like it modifies h.

Measured (seed 0, 1 thread): buggy train loss 0.003 (train acc 1.00), validation loss rises
0.46 (epoch 3) -> 1.011 (epoch 30), val acc 0.776; fixed copy (h = self.dropout(h)) train loss
0.081, validation loss 0.45 -> 0.625, val acc 0.779. Runtime ~10 s CPU.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

X, y = make_classification(n_samples=1200, n_features=30, n_informative=8, n_redundant=4,
                           flip_y=0.2, class_sep=1.0, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, train_size=240, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.long)
y_va = torch.tensor(y_va, dtype=torch.long)


class TabularNet(nn.Module):
    def __init__(self, d_in, hidden=256, p_drop=0.5):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 2)
        self.dropout = nn.Dropout(p_drop)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        self.dropout(h)
        h = F.relu(self.fc2(h))
        self.dropout(h)
        return self.out(h)


model = TabularNet(X_tr.shape[1])
optimizer = torch.optim.RMSprop(model.parameters(), lr=5e-4)
batch_size = 24
epochs = 30

for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), batch_size):
        idx = perm[i:i + batch_size]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        tr_logits, va_logits = model(X_tr), model(X_va)
        tr_loss = F.cross_entropy(tr_logits, y_tr).item()
        va_loss = F.cross_entropy(va_logits, y_va).item()
        tr_acc = (tr_logits.argmax(1) == y_tr).float().mean().item()
        va_acc = (va_logits.argmax(1) == y_va).float().mean().item()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d} train_loss {tr_loss:.4f} train_acc {tr_acc:.3f} "
              f"val_loss {va_loss:.4f} val_acc {va_acc:.3f}")

print(f"final: train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.4f}")
