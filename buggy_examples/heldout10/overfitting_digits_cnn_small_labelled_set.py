"""2-D CNN on sklearn digits (8x8) with a class-based Trainer and a per-epoch validation
loop.

Seeded bug: only 120 labelled training images for a ~210k-parameter CNN, trained for a
fixed 40 epochs (320 Adam steps) with no weight decay, dropout, augmentation or early
stopping, and the final-epoch weights are the ones evaluated (the validation history is
recorded but never used to pick a checkpoint).

Measured (seed 3): training loss falls to 0.002 with train accuracy 1.000, while
validation loss bottoms out at 0.325 (epoch 11) and climbs back to 0.446 by epoch 40;
test loss 0.542, test accuracy 0.881. Fixed copy (restore the lowest-val-loss
checkpoint): test loss 0.405, test accuracy 0.886.
"""
# traindebug-expect: overfitting
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(3)


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 24, 3, padding=1), nn.ReLU(),
            nn.Conv2d(24, 48, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(48 * 4 * 4, 256), nn.ReLU(), nn.Linear(256, 10)
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=16):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.loss_fn = nn.CrossEntropyLoss()
        self.batch_size = batch_size
        self.history = []

    def fit_epoch(self, x, y, gen):
        self.model.train()
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), self.batch_size):
            idx = perm[i:i + self.batch_size]
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(x[idx]), y[idx])
            loss.backward()
            self.opt.step()
            total += loss.item() * len(idx)
        return total / len(x)

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        logits = self.model(x)
        return self.loss_fn(logits, y).item(), (logits.argmax(1) == y).float().mean().item()

    def fit(self, train, val, epochs):
        gen = torch.Generator().manual_seed(0)
        for ep in range(1, epochs + 1):
            tr_loss = self.fit_epoch(*train, gen)
            va_loss, va_acc = self.evaluate(*val)
            _, tr_acc = self.evaluate(*train)
            self.history.append((ep, tr_loss, tr_acc, va_loss, va_acc))
            if ep % 5 == 0 or ep == 1:
                print(f"ep {ep:3d} train_loss={tr_loss:.4f} train_acc={tr_acc:.3f} "
                      f"val_loss={va_loss:.4f} val_acc={va_acc:.3f}")
        return self.model


digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]
y = digits.target.astype(np.int64)
# small labelled budget: the annotation team delivered 120 images so far
X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, train_size=120, stratify=y, random_state=0)
X_va, X_te, y_va, y_te = train_test_split(X_rest, y_rest, train_size=400, stratify=y_rest, random_state=0)
train = (torch.from_numpy(X_tr), torch.from_numpy(y_tr))
val = (torch.from_numpy(X_va), torch.from_numpy(y_va))
test = (torch.from_numpy(X_te), torch.from_numpy(y_te))

trainer = Trainer(DigitsCNN())
model = trainer.fit(train, val, epochs=40)

best = min(trainer.history, key=lambda h: h[3])
print(f"lowest val_loss={best[3]:.4f} at epoch {best[0]}; final val_loss={trainer.history[-1][3]:.4f}")
te_loss, te_acc = trainer.evaluate(*test)
print(f"test_loss={te_loss:.4f} test_acc={te_acc:.3f}")
