"""4-class tabular classifier (120 features, only 160 labelled training rows) trained
with a wide 2x256 MLP and a validation loop.

Seeded bug (overfitting): no dropout, weight decay or early stopping, and the training
runs 40 epochs (200 Adam steps) on 160 rows; the best-validation checkpoint is written
to an in-memory buffer but never restored, so the final (overfit) weights are what is kept.

Measured: train loss 0.0008 / train acc 1.000 at the end, while val loss goes from its
best 1.215 (epoch ~1) up to 2.187 (val acc 0.447).  Restoring the best buffer
(early stopping) gives val loss 1.215.
"""
# traindebug-expect: overfitting
import io
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(n_samples=1200, n_features=120, n_informative=12, n_redundant=8,
                           n_classes=4, n_clusters_per_class=2, flip_y=0.05, class_sep=1.0,
                           random_state=3)
# keep a large held-out pool; the labelled training budget is small
X_tr, X_va, y_tr, y_va = train_test_split(X, y, train_size=160, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_va = torch.tensor(y_va)


def collate(batch):
    x = torch.stack([b[0] for b in batch])
    y = torch.stack([b[1] for b in batch])
    return x, y


train_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True, collate_fn=collate,
    generator=torch.Generator().manual_seed(0))

model = nn.Sequential(
    nn.Linear(X_tr.shape[1], 256), nn.ReLU(),
    nn.Linear(256, 256), nn.ReLU(),
    nn.Linear(256, 4),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
EPOCHS = 40


def evaluate(xs, ys):
    model.eval()
    with torch.no_grad():
        out = model(xs)
        return F.cross_entropy(out, ys).item(), (out.argmax(1) == ys).float().mean().item()


history = []
best_state, best_val = None, float("inf")
for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    tr_loss, tr_acc = evaluate(X_tr, y_tr)
    va_loss, va_acc = evaluate(X_va, y_va)
    history.append((tr_loss, va_loss))
    if va_loss < best_val:
        best_val = va_loss
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf)
        best_state = buf.getvalue()
    if epoch % 10 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:3d} train_loss={tr_loss:.4f} train_acc={tr_acc:.3f} "
              f"val_loss={va_loss:.4f} val_acc={va_acc:.3f}")

print(f"best val_loss={best_val:.4f}; final val_loss={history[-1][1]:.4f}")
