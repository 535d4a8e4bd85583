"""Digits CNN built as one nn.Sequential (Unflatten to 1x8x8, two conv-BN-ReLU blocks, maxpool,
Linear 384-64 with dropout, Linear 64-10); AdamW lr 2e-3 with the usual two parameter groups
(weight decay 1e-2 on weight matrices/kernels, none on biases and BN parameters), cosine LR over
5 epochs, DataLoader batches of 40 (180 steps).

Seeded bug: split_params() returns generator expressions, and the logging line
`sum(p.numel() for p in decay)` / `... no_decay` exhausts both generators before they are passed
to AdamW. The optimizer silently gets two empty parameter groups, so loss.backward() fills every
.grad but optimizer.step() updates nothing: the whole network stays at its random
initialisation (the BN running statistics still move, so the loss even drifts a little).

Measured (plain python, 1 thread): final val loss 2.358 / val accuracy 0.056 (train accuracy
~0.06) buggy vs val loss 0.069 / val accuracy 0.989 for the fixed copy (list comprehensions).
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)

EPOCHS = 5
LR = 2e-3
WEIGHT_DECAY = 1e-2


def build_model():
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12), nn.ReLU(),
        nn.Conv2d(12, 24, 3, padding=1, bias=False), nn.BatchNorm2d(24), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(24 * 16, 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 10),
    )


def split_params(model):
    """Weight decay on conv/linear weights only; biases and norm params go without."""
    decay = (p for n, p in model.named_parameters() if p.ndim > 1)
    no_decay = (p for n, p in model.named_parameters() if p.ndim <= 1)
    return decay, no_decay


def run_epoch(model, loader, criterion, optimizer=None):
    train = optimizer is not None
    model.train(train)
    tot_loss, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = criterion(logits, yb)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            tot_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot_loss / n, correct / n


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=1)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=40, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=256)

    model = build_model()
    decay, no_decay = split_params(model)
    print(f"params with decay: {sum(p.numel() for p in decay)}, "
          f"without: {sum(p.numel() for p in no_decay)}")
    optimizer = torch.optim.AdamW([
        {"params": decay, "weight_decay": WEIGHT_DECAY},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=LR)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, EPOCHS + 1):
        tr_loss, tr_acc = run_epoch(model, train_dl, criterion, optimizer)
        scheduler.step()
        va_loss, va_acc = run_epoch(model, val_dl, criterion)
        print(f"epoch {epoch:2d}  train loss {tr_loss:.4f} acc {tr_acc:.3f}  val loss {va_loss:.4f} acc {va_acc:.3f}")
    print(f"final val loss {va_loss:.4f}  val accuracy {va_acc:.3f}")


if __name__ == "__main__":
    main()
