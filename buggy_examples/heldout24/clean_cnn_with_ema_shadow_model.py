"""Healthy control: small 2-D CNN (conv + BatchNorm + dropout) on sklearn digits (8x8), SGD with
momentum, weight decay and a per-step cosine schedule, 220 steps; a ModelEma wrapper keeps an
exponential moving average of the weights and buffers and is used for evaluation.

Patterns that may fool a naive detector: ModelEma is an nn.Module holding a deepcopy of the
network; its parameters keep requires_grad=True but never get a .grad (they are updated in
place under torch.no_grad after each optimizer step), and they change although no optimizer
owns them. The EMA copy stays in eval mode for its whole life while the live model trains.

Measured (seed 0): train loss 1.93 -> 0.089, live model test accuracy 0.991,
EMA test accuracy 0.989 (EMA test loss 0.061).
"""
# traindebug-expect: clean
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.dropout(self.features(x).flatten(1)))


class ModelEma(nn.Module):
    """Keeps an exponential moving average of another model's weights (and buffers)."""

    def __init__(self, model, decay=0.99, warmup=True):
        super().__init__()
        self.module = copy.deepcopy(model)
        self.module.eval()
        self.decay = decay
        self.warmup = warmup
        self.num_updates = 0

    @torch.no_grad()
    def update(self, model):
        self.num_updates += 1
        d = self.decay
        if self.warmup:
            d = min(d, (1 + self.num_updates) / (10 + self.num_updates))
        ema_state = self.module.state_dict()
        for k, v in model.state_dict().items():
            e = ema_state[k]
            if e.dtype.is_floating_point:
                e.mul_(d).add_(v.detach(), alpha=1 - d)
            else:
                e.copy_(v)

    def forward(self, x):
        return self.module(x)


def evaluate(model, loader):
    model.eval()
    correct = n = 0
    loss = 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
    return loss / n, correct / n


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.5).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
    test_dl = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=256)

    model = SmallCNN()
    ema = ModelEma(model, decay=0.98)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    epochs = 10
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(train_dl))
    step = 0
    for ep in range(epochs):
        model.train()
        tot = 0.0
        for x, yb in train_dl:
            loss = F.cross_entropy(model(x), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            ema.update(model)
            tot += loss.item() * len(yb)
            step += 1
        if ep % 3 == 0 or ep == epochs - 1:
            _, acc = evaluate(model, test_dl)
            ema_loss, ema_acc = evaluate(ema, test_dl)
            print(f"epoch {ep} step {step} train_loss {tot / len(Xtr):.4f} "
                  f"test_acc {acc:.3f} ema_test_loss {ema_loss:.4f} ema_test_acc {ema_acc:.3f}")
    print(f"final ema_test_acc {ema_acc:.3f}")


if __name__ == "__main__":
    main()
