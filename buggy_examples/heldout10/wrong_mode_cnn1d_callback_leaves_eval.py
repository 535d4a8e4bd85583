"""1-D CNN (Conv1d + BatchNorm1d + Dropout) classifying noisy sine / square /
sawtooth waveforms; callback-based Trainer, SGD+Nesterov, StepLR.

Seeded bug: Trainer.fit calls self.model.train() once before the epoch loop,
but the ValidationCallback puts the model in eval mode at the end of every
epoch and never switches it back.  From epoch 2 on, all training
forward/backward passes run in eval mode: dropout is off and BatchNorm
normalises with the (stale, epoch-1) running statistics and never updates them.

Measured (12 epochs, 240 steps): buggy train loss 1.04 -> 0.85 (ln 3 = 1.10),
final val acc 0.593; with model.train() at the start of every epoch: train
loss 1.04 -> 0.23, final val acc 0.835 (best 0.855).
"""
# traindebug-expect: wrong_mode
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_waveforms(n, length=64, seed=0):
    """three classes of noisy periodic signals: sine, square, sawtooth"""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    X = np.empty((n, 1, length), dtype=np.float32)
    y = rng.integers(0, 3, n)
    for i in range(n):
        f = rng.uniform(2, 6)
        ph = rng.uniform(0, 2 * math.pi)
        s = np.sin(2 * math.pi * f * t + ph)
        if y[i] == 1:
            s = np.sign(s)
        elif y[i] == 2:
            s = 2 * ((f * t + ph / (2 * math.pi)) % 1.0) - 1
        amp = rng.uniform(0.5, 3.0)
        X[i, 0] = amp * s + rng.normal(0, 0.8, length) + rng.uniform(-2, 2)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class ConvNet1d(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv1d(cin, cout, 5, padding=2), nn.BatchNorm1d(cout), nn.ReLU(), nn.MaxPool1d(2))
        self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 64), block(64, 64))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 4, 64), nn.ReLU(),
                                        nn.Dropout(0.5), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class ValidationCallback(Callback):
    def __init__(self, loader):
        self.loader = loader

    def on_epoch_end(self, trainer, epoch, logs):
        model = trainer.model
        model.eval()
        correct = n = 0
        with torch.no_grad():
            for x, y in self.loader:
                correct += (model(x).argmax(1) == y).sum().item()
                n += len(y)
        logs["val_acc"] = correct / n


class PrintCallback(Callback):
    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % 3 == 0 or epoch == trainer.epochs - 1:
            print(f"epoch {epoch:2d}  loss {logs['loss']:.4f}  lr {logs['lr']:.4f}  val_acc {logs.get('val_acc', float('nan')):.3f}")


class Trainer:
    def __init__(self, model, optimizer, scheduler, epochs, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.epochs = epochs
        self.callbacks = list(callbacks)
        self.loss_fn = nn.CrossEntropyLoss()
        self.history = []

    def train_step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def fit(self, loader):
        self.model.train()
        for epoch in range(self.epochs):
            losses = [self.train_step(x, y) for x, y in loader]
            logs = {"loss": float(np.mean(losses)), "lr": self.optimizer.param_groups[0]["lr"]}
            self.scheduler.step()
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
            self.history.append(logs)
        return self.history


def main():
    torch.manual_seed(1)
    torch.set_num_threads(1)  # tiny convs: thread overhead dominates, and results stay reproducible
    Xtr, ytr = make_waveforms(640, seed=1)
    Xva, yva = make_waveforms(400, seed=2)
    train_dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(Xva, yva), batch_size=200)

    model = ConvNet1d()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    trainer = Trainer(model, opt, sched, epochs=12, callbacks=[ValidationCallback(val_dl), PrintCallback()])
    hist = trainer.fit(train_dl)
    print(f"final val_acc {hist[-1]['val_acc']:.3f}  best {max(h['val_acc'] for h in hist):.3f}")


if __name__ == "__main__":
    main()
