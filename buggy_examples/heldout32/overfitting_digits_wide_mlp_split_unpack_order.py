"""
Digit classification on sklearn digits with a wide MLP (64-512-512-10, ReLU), Adam lr 2e-3,
batch 32, 60 epochs, stratified train_test_split with test_size=0.15; validation loss and
accuracy are computed under torch.no_grad() after every epoch.

Seeded bug: the split is unpacked as `X_va, X_tr, y_va, y_tr = train_test_split(...)`
instead of X_train, X_test, y_train, y_test, so the model trains on the 15% part (270 images)
and "validates" on the 85% part. With ~500k parameters and 60 epochs (540 steps) on 270 images
the training loss goes to ~4e-4 while the validation loss bottoms out around epoch 15 and then
keeps rising. Realistic: sklearn's return order is easy to get wrong, and nothing crashes.

Measured (seed 0, 1 thread): buggy train loss 0.0004, validation loss 0.162 (epoch 18) rising
to 0.183 at epoch 60, val accuracy 0.946; fixed copy (correct unpacking, 1527 training images)
train loss 0.0001, validation loss 0.111, val accuracy 0.978.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

EPOCHS, BATCH, LR = 60, 32, 2e-3

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target, dtype=torch.long)
X_va, X_tr, y_va, y_tr = train_test_split(X, y, test_size=0.15, random_state=0, stratify=y)
print(f"train {len(X_tr)}  validation {len(X_va)}")


model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(64, 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=LR)

for epoch in range(1, EPOCHS + 1):
    model.train()
    perm = torch.randperm(len(X_tr))
    tr_loss = 0.0
    for i in range(0, len(X_tr), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tr_loss += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va)
        va_loss = F.cross_entropy(va_logits, y_va).item()
        va_acc = (va_logits.argmax(1) == y_va).float().mean().item()
    if epoch % 6 == 0 or epoch == 1:
        print(f"epoch {epoch:2d}  train loss {tr_loss / len(X_tr):.4f}  "
              f"val loss {va_loss:.4f}  val acc {va_acc:.3f}")

print(f"final: train loss {tr_loss / len(X_tr):.4f}  val loss {va_loss:.4f}  val acc {va_acc:.3f}")
