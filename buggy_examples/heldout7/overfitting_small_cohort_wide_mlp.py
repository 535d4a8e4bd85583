"""Wide 4-layer MLP (40-512-512-256-2) on a small noisy cohort (120 training rows, 40
features, 15% flipped labels). Validation runs every epoch in eval mode under
torch.no_grad().

Seeded problem (overfitting): with no regularisation, no early stopping and 60 epochs
on 120 samples, the network memorises the training set and the model kept at the end is
the final one.

Measured (60 epochs, 240 steps): train loss 0.56 -> 0.0000 (train acc 1.000), val_loss
lowest 0.612 at epoch 2 then rising to 2.533 at epoch 60. Val acc falls from 0.679
(epoch 1) to 0.629. A regularised copy (40-32-2 with dropout 0.5, AdamW wd=0.5) ends at
val_loss 0.682 (best 0.613), train loss 0.26.
"""
# traindebug-expect: overfitting
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

# small clinical-style cohort: many measurements, few patients, noisy outcome
X, y = make_classification(n_samples=400, n_features=40, n_informative=6, n_redundant=4,
                           flip_y=0.15, class_sep=0.8, random_state=8)
X_train, X_val, y_train, y_val = train_test_split(X, y, train_size=120, stratify=y, random_state=0)
sc = StandardScaler().fit(X_train)
Xt = torch.tensor(sc.transform(X_train), dtype=torch.float32)
Xv = torch.tensor(sc.transform(X_val), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.long)
yv = torch.tensor(y_val, dtype=torch.long)

model = nn.Sequential(
    nn.Linear(40, 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, 256), nn.ReLU(),
    nn.Linear(256, 2),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

history = []
for epoch in range(1, 61):
    model.train()
    perm = torch.randperm(len(Xt))
    for i in range(0, len(Xt), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad()
        loss = criterion(model(Xt[idx]), yt[idx])
        loss.backward()
        optimizer.step()

    model.eval()
    with torch.no_grad():
        tr_out, va_out = model(Xt), model(Xv)
        tr_loss, va_loss = criterion(tr_out, yt).item(), criterion(va_out, yv).item()
        tr_acc = (tr_out.argmax(1) == yt).float().mean().item()
        va_acc = (va_out.argmax(1) == yv).float().mean().item()
    history.append((tr_loss, va_loss, tr_acc, va_acc))
    if epoch % 5 == 0 or epoch == 1:
        print(f"epoch {epoch:3d}  train_loss {tr_loss:.4f} acc {tr_acc:.3f} | "
              f"val_loss {va_loss:.4f} acc {va_acc:.3f}")

final_model = copy.deepcopy(model)
best = int(np.argmin([h[1] for h in history]))
print(f"lowest val_loss {history[best][1]:.4f} at epoch {best+1}; "
      f"final: val_loss {history[-1][1]:.4f} val_acc {history[-1][3]:.3f}")
