"""Small 2-D CNN on the 8x8 sklearn digits (nn.Sequential, Adam, StepLR).

Seeded bug (over_regularization): weight_decay=0.1 is passed to torch.optim.Adam
(a value copied from an AdamW recipe). In Adam the decay is added to the gradient
as an L2 term, and 0.1*w is far larger than the data gradient. The decay term
dominates the update and pulls all weights towards zero.

Measured (8 epochs, ~240 steps): train and val loss stay at 2.303 (ln 10), val acc
0.100; the global weight norm falls from about 8.6 at init to about 1.0. With
weight_decay=1e-4: train loss 0.137, val acc 0.936, weight norm about 10.6.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

SEED = 0
HPARAMS = {
    "batch_size": 48,
    "epochs": 8,
    "lr": 1e-3,
    "weight_decay": 0.1,
    "step_size": 4,
    "gamma": 0.5,
}

torch.manual_seed(SEED)

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)
train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                      batch_size=HPARAMS["batch_size"], shuffle=True)
X_va_t, y_va_t = torch.from_numpy(X_va), torch.from_numpy(y_va)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 2 * 2, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=HPARAMS["lr"],
                             weight_decay=HPARAMS["weight_decay"])
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=HPARAMS["step_size"],
                                            gamma=HPARAMS["gamma"])
loss_fn = nn.CrossEntropyLoss()

for epoch in range(HPARAMS["epochs"]):
    model.train()
    epoch_loss = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * xb.size(0)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va_t)
        va_loss = loss_fn(va_logits, y_va_t).item()
        va_acc = (va_logits.argmax(1) == y_va_t).float().mean().item()
    print(f"epoch {epoch} train_loss {epoch_loss / len(X_tr):.4f} val_loss {va_loss:.4f} "
          f"val_acc {va_acc:.3f}")
