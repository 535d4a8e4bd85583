"""Seeded bug: the regressor outputs shape (B, 1) while the targets have shape (B,).
nn.MSELoss silently broadcasts the pair to (B, B), so every prediction is pushed towards
every target in the batch and the model collapses to predicting roughly the mean target
(PyTorch only emits a UserWarning).

Measured (this script, seed 0, standardised diabetes target): final train MSE 1.02,
val MSE 0.87, i.e. no better than predicting the training mean (train 1.00, val 0.87).
With pred.squeeze(-1): train MSE 0.40, val MSE 0.63.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogger(Callback):
    def __init__(self, every=10):
        self.every = every

    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % self.every == 0 or epoch == trainer.epochs - 1:
            print(f"epoch {epoch:3d} loss {logs['train_loss']:.4f} "
                  f"train mse {logs['train_mse']:.4f} val mse {logs['val_loss']:.4f}")


class Trainer:
    def __init__(self, model, optimizer, loss_fn, epochs, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.epochs = epochs
        self.callbacks = list(callbacks)

    def train_epoch(self, loader):
        self.model.train()
        total, n = 0.0, 0
        for xb, yb in loader:
            pred = self.model(xb)
            loss = self.loss_fn(pred, yb)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(xb)
            n += len(xb)
        return total / n

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        se, n = 0.0, 0
        for xb, yb in loader:
            pred = self.model(xb).reshape(-1)
            se += ((pred - yb) ** 2).sum().item()
            n += len(xb)
        return se / n

    def fit(self, train_loader, val_loader):
        for epoch in range(self.epochs):
            logs = {"train_loss": self.train_epoch(train_loader),
                    "train_mse": self.evaluate(train_loader),
                    "val_loss": self.evaluate(val_loader)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return logs


def main():
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    Xtr, Xva, ytr, yva = train_test_split(X.astype(np.float32), y.astype(np.float32),
                                          test_size=0.2, random_state=0)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)),
                            batch_size=128)

    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.005, momentum=0.9)
    trainer = Trainer(model, opt, nn.MSELoss(), epochs=25, callbacks=[PrintLogger(every=6)])
    logs = trainer.fit(train_loader, val_loader)
    print(f"final train mse {logs['train_mse']:.4f} val mse {logs['val_loss']:.4f}")


if __name__ == "__main__":
    main()
