"""Lightning-like Trainer (module with training_step/configure_optimizers,
callbacks, early stopping) training a 1-D CNN on synthetic vibration snippets
(4 fault classes), SGD with momentum.

Seeded bug (unshuffled_data): the Dataset builds its tensors class by class
(all class 0, then class 1, ...), and the train loader comes from the shared
make_loader() helper whose default is no shuffling, so every batch contains a
single class and the model chases whichever class it saw last.
Measured (12 epochs, 300 steps): buggy val acc 0.25 for 10 epochs, 0.40 at the
end, val loss 1.40 -> 1.32; fixed (shuffle=True): val loss 0.25-0.29,
val acc 0.91.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(7)
np.random.seed(7)

N_CLASSES, LENGTH = 4, 64


class WaveformDataset(Dataset):
    """Synthetic vibration snippets; each fault class has its own dominant frequency."""

    def __init__(self, per_class, seed):
        rng = np.random.default_rng(seed)
        t = np.linspace(0, 1, LENGTH, dtype=np.float32)
        xs, ys = [], []
        for c in range(N_CLASSES):
            freq = 3 + 2.0 * c
            phase = rng.uniform(0, 2 * np.pi, (per_class, 1))
            amp = rng.uniform(0.6, 1.4, (per_class, 1))
            sig = amp * np.sin(2 * np.pi * freq * t + phase)
            sig += rng.normal(0, 0.9, sig.shape)
            xs.append(sig.astype(np.float32))
            ys.append(np.full(per_class, c))
        self.x = torch.from_numpy(np.concatenate(xs)).unsqueeze(1)
        self.y = torch.from_numpy(np.concatenate(ys)).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(1, 16, 7, padding=3)
        self.c2 = nn.Conv1d(16, 32, 5, padding=2)
        self.fc = nn.Linear(32, N_CLASSES)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.c1(x)), 2)
        x = F.relu(self.c2(x))
        return self.fc(x.mean(-1))


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class EarlyStopping(Callback):
    def __init__(self, monitor="val_loss", patience=4, min_delta=1e-3):
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.best, self.wait = float("inf"), 0

    def on_epoch_end(self, trainer, epoch, logs):
        if logs[self.monitor] < self.best - self.min_delta:
            self.best, self.wait = logs[self.monitor], 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.should_stop = True


class PrintLogger(Callback):
    def on_epoch_end(self, trainer, epoch, logs):
        print(f"epoch {epoch:2d} step {trainer.global_step:3d} " +
              " ".join(f"{k} {v:.4f}" for k, v in logs.items()))


class Trainer:
    def __init__(self, max_epochs, callbacks=()):
        self.max_epochs, self.callbacks = max_epochs, list(callbacks)
        self.global_step, self.should_stop = 0, False

    def fit(self, module, train_loader, val_loader):
        opt = module.configure_optimizers()
        for epoch in range(1, self.max_epochs + 1):
            module.train()
            tot, n = 0.0, 0
            for batch in train_loader:
                loss = module.training_step(batch)
                opt.zero_grad()
                loss.backward()
                opt.step()
                self.global_step += 1
                tot += loss.item() * len(batch[1])
                n += len(batch[1])
            logs = {"train_loss": tot / n, **module.evaluate(val_loader)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
            if self.should_stop:
                break


class FaultClassifier(nn.Module):
    def __init__(self, lr=0.02):
        super().__init__()
        self.net, self.lr = Net(), lr

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9)

    def training_step(self, batch):
        x, y = batch
        return F.cross_entropy(self.net(x), y)

    @torch.no_grad()
    def evaluate(self, loader):
        self.eval()
        tot, correct, n = 0.0, 0, 0
        for x, y in loader:
            out = self.net(x)
            tot += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
        return {"val_loss": tot / n, "val_acc": correct / n}


def make_loader(ds, batch_size, **kw):
    return DataLoader(ds, batch_size=batch_size, drop_last=False, **kw)


train_ds = WaveformDataset(per_class=200, seed=1)
val_ds = WaveformDataset(per_class=60, seed=2)
train_loader = make_loader(train_ds, 32)
val_loader = make_loader(val_ds, 128)

trainer = Trainer(max_epochs=12, callbacks=[PrintLogger(), EarlyStopping(patience=4)])
trainer.fit(FaultClassifier(), train_loader, val_loader)
