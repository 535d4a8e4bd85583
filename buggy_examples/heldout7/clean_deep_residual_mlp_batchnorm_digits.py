"""Healthy control: 8-block pre-activation residual MLP with BatchNorm (18 Linear layers,
160k parameters) on digits, SGD-Nesterov + OneCycleLR, dropout and label smoothing.

Patterns that may fool a naive detector: the second Linear of every residual branch is
zero-initialised (identical all-zero weight rows, "symmetric" at step 0), and because of that
the first Linear of each branch receives an exactly zero gradient at step 0 (looks like
vanishing / no gradient flow until the first update); label smoothing gives a training-loss
floor around 0.30 and train loss stays above val loss (dropout + smoothing).
Measured: train loss 1.51 -> 0.304, train acc 1.000, val loss 0.107-0.108, val acc 0.977-0.980
(230 optimizer steps).
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split
from sklearn.datasets import load_digits


class ResBlock(nn.Module):
    """Pre-activation residual block: BN -> ReLU -> Linear -> BN -> ReLU -> Linear."""

    def __init__(self, width, p_drop=0.0):
        super().__init__()
        self.bn1 = nn.BatchNorm1d(width)
        self.fc1 = nn.Linear(width, width)
        self.bn2 = nn.BatchNorm1d(width)
        self.fc2 = nn.Linear(width, width)
        self.drop = nn.Dropout(p_drop)
        # zero-init the last layer of each branch so every block starts as identity
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        h = self.fc1(F.relu(self.bn1(x)))
        h = self.fc2(self.drop(F.relu(self.bn2(h))))
        return x + h


class DeepResMLP(nn.Module):
    def __init__(self, d_in=64, width=96, n_blocks=8, n_classes=10):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResBlock(width, p_drop=0.1) for _ in range(n_blocks)])
        self.norm = nn.BatchNorm1d(width)
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(F.relu(self.norm(self.blocks(self.stem(x)))))


def run_epoch(model, loader, opt=None, sched=None):
    train = opt is not None
    model.train(train)
    tot_loss = correct = n = 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=0.05 if train else 0.0)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            tot_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot_loss / n, correct / n


if __name__ == "__main__":
    torch.manual_seed(0)
    d = load_digits()
    X = torch.tensor(d.data, dtype=torch.float32)
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    ds = TensorDataset(X, torch.tensor(d.target))
    tr, va = random_split(ds, [1497, 300], generator=torch.Generator().manual_seed(0))
    tr_dl = DataLoader(tr, batch_size=64, shuffle=True, drop_last=True)
    va_dl = DataLoader(va, batch_size=300)

    model = DeepResMLP()
    n_linear = sum(isinstance(m, nn.Linear) for m in model.modules())
    print(f"{n_linear} linear layers, {sum(p.numel() for p in model.parameters())} parameters")
    epochs = 10
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=epochs * len(tr_dl))
    for epoch in range(epochs):
        tl, ta = run_epoch(model, tr_dl, opt, sched)
        vl, vacc = run_epoch(model, va_dl)
        print(f"epoch {epoch} train_loss {tl:.4f} train_acc {ta:.3f} val_loss {vl:.4f} val_acc {vacc:.3f}")
