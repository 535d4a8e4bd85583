"""Healthy control: breast-cancer MLP with BatchNorm + Dropout(0.4), AdamW, early stopping.

Legitimate patterns that could fool a naive detector: the model switches between
train() and eval() every epoch (validation in eval mode under no_grad, training in train
mode); validation loss sits below training loss because of dropout; training stops early
and the best checkpoint is restored.

Measured: epoch 1 train 0.407 / val 0.278; early stop at epoch 24 (360 steps), best
val_loss 0.087; test loss 0.048, test accuracy 0.991.
"""
# traindebug-expect: clean
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class TabularNet(nn.Module):
    def __init__(self, d_in, width=128, p=0.4):
        super().__init__()
        self.fc1 = nn.Linear(d_in, width)
        self.bn1 = nn.BatchNorm1d(width)
        self.fc2 = nn.Linear(width, width)
        self.bn2 = nn.BatchNorm1d(width)
        self.drop = nn.Dropout(p)
        self.out = nn.Linear(width, 2)

    def forward(self, x):
        x = self.drop(F.relu(self.bn1(self.fc1(x))))
        x = self.drop(F.relu(self.bn2(self.fc2(x))))
        return self.out(x)


class EarlyStopping:
    def __init__(self, patience=5, min_delta=1e-4):
        self.patience, self.min_delta = patience, min_delta
        self.best, self.bad, self.state = float("inf"), 0, None

    def step(self, value, model):
        if value < self.best - self.min_delta:
            self.best, self.bad = value, 0
            self.state = copy.deepcopy(model.state_dict())
            return False
        self.bad += 1
        return self.bad >= self.patience


def run(model, loader, opt=None):
    training = opt is not None
    model.train() if training else model.eval()
    tot_loss, correct, n = 0.0, 0, 0
    ctx = torch.enable_grad() if training else torch.no_grad()
    with ctx:
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            if training:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot_loss / n, correct / n


def main():
    torch.manual_seed(8)
    data = load_breast_cancer()
    X, y = data.data.astype(np.float32), data.target
    X_tmp, X_te, y_tmp, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=8)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tmp, y_tmp, test_size=0.2, stratify=y_tmp, random_state=8)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    mk = lambda a, b, **kw: DataLoader(TensorDataset(torch.tensor((a - mu) / sd), torch.tensor(b)), **kw)
    tr = mk(X_tr, y_tr, batch_size=24, shuffle=True, drop_last=True)
    va = mk(X_va, y_va, batch_size=128)
    te = mk(X_te, y_te, batch_size=128)

    model = TabularNet(X.shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    stopper = EarlyStopping(patience=6)
    for epoch in range(1, 41):
        tl, ta = run(model, tr, opt)
        vl, vacc = run(model, va)
        print(f"epoch {epoch:2d}  train {tl:.4f}/{ta:.3f}  val {vl:.4f}/{vacc:.3f}")
        if stopper.step(vl, model):
            print(f"early stop at epoch {epoch}; best val_loss {stopper.best:.4f}")
            break
    model.load_state_dict(stopper.state)
    tel, tea = run(model, te)
    print(f"test loss {tel:.4f} test acc {tea:.3f}")


if __name__ == "__main__":
    main()
