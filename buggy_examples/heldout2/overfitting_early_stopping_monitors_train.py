"""Seeded bug: an early-stopping callback that is meant to watch the
validation loss but is handed the training loss (logs["loss"] instead of
logs["val_loss"]), so it never stops: a wide MLP on 200 noisy samples of a
20-feature problem keeps fitting the training set while the validation loss,
computed every epoch, climbs to ~1.97. Watching val_loss stops the run
at epoch 5 with a validation loss of ~0.6 (measured)."""
# traindebug-expect: overfitting
import torch
from sklearn.datasets import make_classification
from torch import nn


class EarlyStopping:
    def __init__(self, monitor="val_loss", patience=5):
        self.monitor, self.patience, self.best, self.wait = monitor, patience, float("inf"), 0

    def should_stop(self, logs):
        value = logs["loss"]  # BUG: ignores self.monitor, always the training loss
        if value < self.best:
            self.best, self.wait = value, 0
        else:
            self.wait += 1
        return self.wait >= self.patience


torch.manual_seed(0)
X, y = make_classification(n_samples=1200, n_features=20, n_informative=5, flip_y=0.15, random_state=4)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:200], y[:200], X[200:], y[200:]
model = nn.Sequential(nn.Linear(20, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
stopper = EarlyStopping(monitor="val_loss")
for epoch in range(100):
    model.train()
    perm = torch.randperm(200)
    total = 0.0
    for i in range(0, 200, 20):
        b = perm[i : i + 20]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(Xtr[b]), ytr[b])
        loss.backward()
        opt.step()
        total += loss.item()
    model.eval()
    with torch.no_grad():
        val_loss = nn.functional.cross_entropy(model(Xva), yva).item()
    logs = {"loss": total / 10, "val_loss": val_loss}
    print(epoch, logs)
    if stopper.should_stop(logs):
        break
