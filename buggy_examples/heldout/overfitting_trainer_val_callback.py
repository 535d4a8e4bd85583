"""Seeded bug: a Trainer with an evaluation callback fits a 3-layer, 512-wide
MLP with Adam on 80 samples of a noisy 100-feature problem, no regularisation,
no early stopping: training loss -> 0, validation loss climbs."""
# traindebug-expect: overfitting
import torch
from sklearn.datasets import make_classification
from torch import nn


class EvalCallback:
    def __init__(self, X, y):
        self.X, self.y = X, y
        self.history = []

    def __call__(self, model, epoch):
        model.eval()
        with torch.no_grad():
            self.history.append(nn.functional.cross_entropy(model(self.X), self.y).item())
        model.train()
        if epoch % 10 == 0:
            print(f"epoch {epoch} val_loss {self.history[-1]:.4f}")


class Trainer:
    def __init__(self, model, lr, callbacks):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.callbacks = callbacks

    def fit(self, X, y, epochs, batch_size):
        self.model.train()
        for epoch in range(epochs):
            for xb, yb in zip(X.split(batch_size), y.split(batch_size)):
                self.opt.zero_grad()
                nn.functional.cross_entropy(self.model(xb), yb).backward()
                self.opt.step()
            for cb in self.callbacks:
                cb(self.model, epoch)


torch.manual_seed(0)
X, y = make_classification(n_samples=580, n_features=100, n_informative=6, n_redundant=4,
                           n_classes=3, n_clusters_per_class=1, flip_y=0.1, random_state=3)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
Xtr, ytr, Xva, yva = X[:80], y[:80], X[80:], y[80:]  # BUG: 80 samples for ~320k parameters
model = nn.Sequential(nn.Linear(100, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 3))
Trainer(model, 1e-3, [EvalCallback(Xva, yva)]).fit(Xtr, ytr, epochs=150, batch_size=40)
