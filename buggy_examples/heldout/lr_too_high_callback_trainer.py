"""Seeded bug: a small Trainer with callbacks trains a wine classifier with
SGD(momentum=0.9) at lr=3.0 (meant 3e-2); the loss jumps around and diverges."""
# traindebug-expect: lr_too_high
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogger(Callback):
    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % 10 == 0:
            print(f"[{epoch:03d}] loss={logs['loss']:.4f}")


class Trainer:
    def __init__(self, model, optimizer, loss_fn, callbacks=()):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.callbacks = list(callbacks)

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            total, n = 0.0, 0
            for xb, yb in loader:
                self.optimizer.zero_grad()
                loss = self.loss_fn(self.model(xb), yb)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(xb)
                n += len(xb)
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, {"loss": total / n})


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = load_wine(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    ds = torch.utils.data.TensorDataset(X, torch.tensor(y))
    loader = torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = torch.optim.SGD(model.parameters(), lr=3.0, momentum=0.9)  # BUG: 100x too large
    Trainer(model, opt, nn.CrossEntropyLoss(), [PrintLogger()]).fit(loader, epochs=30)
