"""Seeded bug (lr_too_low): the hand-written linear-warmup/cosine schedule is driven by the
epoch index instead of the global optimizer step (`self._lr_at(epoch)` in train_epoch).
With warmup_steps=150 the learning rate therefore stays inside the warmup ramp for the whole run
at base_lr*(epoch+1)/150, i.e. 3.3e-4 .. 2.7e-3 instead of warming to 0.05 within ~6 epochs.
Measured (8 epochs, 184 SGD steps): buggy final val loss 1.284 / val acc 0.811 (train loss still
1.53 at the end), fixed copy (`_lr_at(self.global_step)`) val loss 0.070 / val acc 0.972.
"""
# traindebug-expect: lr_too_low
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(1)
np.random.seed(0)


class DigitsNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 4 * 4, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


class EarlyStopping:
    def __init__(self, patience=4, min_delta=1e-4):
        self.patience = patience
        self.min_delta = min_delta
        self.best = math.inf
        self.bad_epochs = 0
        self.best_state = None

    def __call__(self, val_loss, model):
        if val_loss < self.best - self.min_delta:
            self.best = val_loss
            self.bad_epochs = 0
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class Trainer:
    def __init__(self, model, train_ds, val_ds, base_lr=0.05, epochs=8,
                 batch_size=64, warmup_steps=150):
        self.model = model
        self.train_loader = torch.utils.data.DataLoader(train_ds, batch_size=batch_size, shuffle=True)
        self.val_loader = torch.utils.data.DataLoader(val_ds, batch_size=256)
        self.opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9, nesterov=True)
        self.base_lr = base_lr
        self.epochs = epochs
        self.warmup_steps = warmup_steps
        self.global_step = 0
        self.stopper = EarlyStopping(patience=4)

    def _lr_at(self, step):
        # linear warmup, then cosine decay to 10% of the base rate
        total = self.epochs * len(self.train_loader)
        if step < self.warmup_steps:
            return self.base_lr * (step + 1) / self.warmup_steps
        progress = (step - self.warmup_steps) / max(1, total - self.warmup_steps)
        return self.base_lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))

    def _set_lr(self, lr):
        for group in self.opt.param_groups:
            group["lr"] = lr

    def train_epoch(self, epoch):
        self.model.train()
        total, n = 0.0, 0
        for xb, yb in self.train_loader:
            self._set_lr(self._lr_at(epoch))
            logits = self.model(xb)
            loss = F.cross_entropy(logits, yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.global_step += 1
            total += loss.item() * len(yb)
            n += len(yb)
        return total / n

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        loss, correct, n = 0.0, 0, 0
        for xb, yb in self.val_loader:
            out = self.model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
        return loss / n, correct / n

    def fit(self):
        for epoch in range(self.epochs):
            tr = self.train_epoch(epoch)
            vl, acc = self.evaluate()
            lr = self.opt.param_groups[0]["lr"]
            print(f"epoch {epoch:2d} lr {lr:.5f} train {tr:.4f} val {vl:.4f} acc {acc:.3f}")
            if self.stopper(vl, self.model):
                print("early stopping")
                break
        if self.stopper.best_state is not None:
            self.model.load_state_dict(self.stopper.best_state)
        return self.evaluate()


def main():
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)
    X = (X - X.mean()) / X.std()
    y = digits.target.astype(np.int64)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    train_ds = torch.utils.data.TensorDataset(torch.from_numpy(Xtr).unsqueeze(1), torch.from_numpy(ytr))
    val_ds = torch.utils.data.TensorDataset(torch.from_numpy(Xva).unsqueeze(1), torch.from_numpy(yva))
    trainer = Trainer(DigitsNet(), train_ds, val_ds)
    vl, acc = trainer.fit()
    print(f"final val loss {vl:.4f} acc {acc:.3f}")


if __name__ == "__main__":
    main()
