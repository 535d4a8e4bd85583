"""1-D CNN (Conv-BN-ReLU blocks + dropout) classifying noisy waveform families with
random gain/offset per recording; training loop built from a Trainer with callbacks.

Seeded bug (wrong_mode): Trainer.fit calls model.train() once, before the epoch loop.
The ValidationCallback switches the model to eval() at the end of every epoch and never
switches it back, so from the second epoch on all forward/backward passes run in eval
mode: BatchNorm normalises with stale running statistics (frozen after epoch 0) instead
of batch statistics, and dropout is off. With SGD-Nesterov at lr 0.1 the un-normalised
network trains badly.

Measured (12 epochs, 300 steps): buggy train loss 1.34 (epoch 0) -> 1.59 -> 0.886,
val acc final 0.530 (best 0.585). Fixed (model.train() at the start of every epoch):
train loss 1.34 -> 0.266, val acc final 0.828 (best 0.862)."""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def synth_signals(n, length=96, n_classes=4, seed=0):
    """Noisy 1-D waveforms; class = waveform family, with random gain/offset per recording."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    y = rng.integers(0, n_classes, size=n)
    x = np.empty((n, length), dtype=np.float32)
    for i, c in enumerate(y):
        f = rng.uniform(3, 6)
        ph = rng.uniform(0, 2 * np.pi)
        if c == 0:
            s = np.sin(2 * np.pi * f * t + ph)
        elif c == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        elif c == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
        else:
            s = np.sin(2 * np.pi * f * t + ph) * np.exp(-3 * t) * 2
        gain = rng.uniform(20.0, 60.0)
        offset = rng.uniform(-80.0, 80.0)
        x[i] = gain * s + offset + rng.normal(0, 0.8 * gain, size=length)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y).long()


class ConvNet(nn.Module):
    def __init__(self, n_classes=4, width=32, p_drop=0.3):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv1d(cin, cout, 5, padding=2, bias=False),
                                 nn.BatchNorm1d(cout), nn.ReLU(), nn.MaxPool1d(2))
        self.features = nn.Sequential(block(1, width), block(width, width), block(width, 2 * width))
        self.drop = nn.Dropout(p_drop)
        self.fc = nn.Linear(2 * width, n_classes)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.fc(self.drop(h))


class Callback:
    def on_epoch_end(self, trainer, epoch):
        pass


class ValidationCallback(Callback):
    def __init__(self, loader):
        self.loader = loader
        self.history = []

    def on_epoch_end(self, trainer, epoch):
        trainer.model.eval()
        correct = total = 0
        with torch.no_grad():
            for xb, yb in self.loader:
                correct += (trainer.model(xb).argmax(1) == yb).sum().item()
                total += len(yb)
        self.history.append(correct / total)


class LoggingCallback(Callback):
    def __init__(self, val_cb):
        self.val_cb = val_cb

    def on_epoch_end(self, trainer, epoch):
        print(f"epoch {epoch:2d} train_loss {trainer.epoch_loss:.4f} val_acc {self.val_cb.history[-1]:.3f}")


class Trainer:
    def __init__(self, model, optimizer, loader, callbacks=()):
        self.model, self.optimizer, self.loader = model, optimizer, loader
        self.callbacks = list(callbacks)
        self.epoch_loss = float("nan")

    def fit(self, epochs):
        self.model.train()
        for epoch in range(epochs):
            running, count = 0.0, 0
            for xb, yb in self.loader:
                loss = F.cross_entropy(self.model(xb), yb)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                running += loss.item() * len(yb)
                count += len(yb)
            self.epoch_loss = running / count
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch)


def main():
    xtr, ytr = synth_signals(1600, seed=1)
    xva, yva = synth_signals(600, seed=2)
    train_loader = DataLoader(TensorDataset(xtr, ytr), batch_size=64, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(TensorDataset(xva, yva), batch_size=200)

    model = ConvNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    val_cb = ValidationCallback(val_loader)
    trainer = Trainer(model, opt, train_loader, callbacks=[val_cb, LoggingCallback(val_cb)])
    trainer.fit(epochs=12)
    print(f"best val_acc {max(val_cb.history):.3f} final val_acc {val_cb.history[-1]:.3f}")


if __name__ == "__main__":
    main()
