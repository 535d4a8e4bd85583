"""4-class MLP on make_classification trained with RMSprop(momentum=0.9) and a
OneCycleLR schedule.

Seeded bug: MAX_LR = 0.3 is a value that is reasonable for SGD's one-cycle
policy but about 100x too large for RMSprop, whose per-parameter normalisation
already produces unit-scale steps. The first warm-up steps blow the loss up to
~1e2 and the network ends up predicting one class for the rest of the run.

Measured (348 optimizer steps): buggy train loss 163.8 (epoch 1) -> 1.39,
val_acc 0.250 (chance) at the end; fixed copy with MAX_LR = 3e-3 reaches
train loss 0.031, val_acc 0.877.
"""
# traindebug-expect: lr_too_high
import time
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, y = make_classification(n_samples=2400, n_features=24, n_informative=12,
                           n_redundant=4, n_classes=4, n_clusters_per_class=2,
                           class_sep=1.2, random_state=3)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_va = torch.tensor(y_va)

model = nn.Sequential(
    nn.Linear(24, 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 4),
)

EPOCHS = 12
BATCH = 64
steps_per_epoch = (len(X_tr) + BATCH - 1) // BATCH
MAX_LR = 0.3

optimizer = torch.optim.RMSprop(model.parameters(), lr=MAX_LR, alpha=0.99, momentum=0.9)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=MAX_LR, epochs=EPOCHS, steps_per_epoch=steps_per_epoch,
    pct_start=0.3, anneal_strategy="cos")
criterion = nn.CrossEntropyLoss()

t0 = time.time()
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    running = 0.0
    for i in range(0, len(X_tr), BATCH):
        idx = perm[i:i + BATCH]
        optimizer.zero_grad()
        loss = criterion(model(X_tr[idx]), y_tr[idx])
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va)
        va_loss = criterion(va_logits, y_va).item()
        va_acc = (va_logits.argmax(1) == y_va).float().mean().item()
    print(f"epoch {epoch+1:2d} lr {scheduler.get_last_lr()[0]:.2e} "
          f"train_loss {running/len(X_tr):.4f} val_loss {va_loss:.4f} val_acc {va_acc:.3f}")
print(f"done in {time.time()-t0:.1f}s")
