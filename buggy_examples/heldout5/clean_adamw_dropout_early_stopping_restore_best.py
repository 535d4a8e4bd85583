"""clean: an MLP with BatchNorm and Dropout(0.3) trained with AdamW (weight_decay=1e-2,
the standard decoupled value) and a cosine LR schedule. model.train() is used for every
training epoch and model.eval() only for validation. Validation loss may creep up slightly
in the last epochs; an early-stopping helper with patience keeps a copy of the best
state_dict and restores it at the end, so the final model is the best one. Healthy.

Measured (this script, seed 0, 308 steps): train loss 1.45 -> 0.115, val loss
1.28 -> best 0.0973 at epoch 10, then 0.098-0.103 in epochs 11-13; the restored best
model has val loss 0.0973, val acc 0.978.
"""
# traindebug-expect: clean
import copy

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class EarlyStopping:
    def __init__(self, patience=4):
        self.patience = patience
        self.best = float("inf")
        self.best_state = None
        self.bad_epochs = 0

    def step(self, val_loss, model):
        if val_loss < self.best - 1e-4:
            self.best = val_loss
            self.best_state = copy.deepcopy(model.state_dict())
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def run_epoch(model, loader, loss_fn, opt=None):
    training = opt is not None
    model.train(training)
    total, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(training):
        for xb, yb in loader:
            out = model(xb)
            loss = loss_fn(out, yb)
            if training:
                opt.zero_grad()
                loss.backward()
                opt.step()
            total += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    torch.manual_seed(0)
    d = load_digits()
    X = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)

    model = nn.Sequential(
        nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 10),
    )
    epochs = 14
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    stopper = EarlyStopping(patience=4)

    for epoch in range(epochs):
        tr_loss, tr_acc = run_epoch(model, train_loader, loss_fn, opt)
        va_loss, va_acc = run_epoch(model, val_loader, loss_fn)
        sched.step()
        print(f"epoch {epoch:2d} train loss {tr_loss:.4f} acc {tr_acc:.3f} | val loss {va_loss:.4f} acc {va_acc:.3f}")
        if stopper.step(va_loss, model):
            print(f"early stop at epoch {epoch}")
            break

    model.load_state_dict(stopper.best_state)
    va_loss, va_acc = run_epoch(model, val_loader, loss_fn)
    print(f"restored best model: val loss {va_loss:.4f} val acc {va_acc:.3f}")


if __name__ == "__main__":
    main()
