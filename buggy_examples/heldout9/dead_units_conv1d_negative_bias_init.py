"""1-D CNN classifying synthetic multi-channel sensor windows (4 motion classes).

Seeded bug (dead_units): the init helper sets every conv/linear bias to
``cfg["init"]["bias"] = -1.0`` ("sparse activations" trick copied from an
old sparse-coding recipe).  With standardised inputs the conv pre-activations
have std ~0.6, so a bias of -1 puts nearly every ReLU unit below zero on every
sample; those units get zero gradient and never come back.

Measured (seed 0, 300 RMSprop steps): buggy run - ReLU outputs exactly zero on
a whole test batch: conv1 97% of entries, conv2 100% (all 32 channels dead),
fc 100% (all 32 units dead); train loss stuck at 1.386 (= ln 4, chance), test
accuracy 0.21.  Fixed copy (bias 0.0): conv1/conv2/fc zero fraction
0.59/0.10/0.54, train loss 0.085, test accuracy 0.995.
"""
# traindebug-expect: dead_units
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

cfg = {
    "data": {"n_train": 1600, "n_test": 400, "channels": 3, "length": 64},
    "model": {"widths": [16, 32], "kernel": 5, "fc": 32},
    "init": {"scheme": "kaiming", "bias": -1.0},
    "train": {"lr": 3e-3, "batch_size": 64, "epochs": 12},
}


class SensorWindows(Dataset):
    """Synthetic accelerometer-like windows: class = waveform type."""

    def __init__(self, n, channels, length, seed):
        rng = np.random.RandomState(seed)
        t = np.linspace(0, 1, length, dtype=np.float32)
        xs, ys = [], []
        for _ in range(n):
            c = rng.randint(4)
            f = rng.uniform(2, 6)
            ph = rng.uniform(0, 2 * math.pi, size=(channels, 1))
            if c == 0:
                sig = np.sin(2 * math.pi * f * t + ph)
            elif c == 1:
                sig = np.sign(np.sin(2 * math.pi * f * t + ph))
            elif c == 2:
                sig = 2 * ((f * t + ph / (2 * math.pi)) % 1.0) - 1
            else:
                sig = np.sin(2 * math.pi * f * t + ph) * np.exp(-3 * t)
            sig = sig + 0.3 * rng.randn(channels, length)
            xs.append(sig.astype(np.float32))
            ys.append(c)
        x = np.stack(xs)
        self.x = torch.from_numpy((x - x.mean()) / x.std())
        self.y = torch.tensor(ys)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class ConvNet(nn.Module):
    def __init__(self, in_ch, widths, kernel, fc, n_classes=4):
        super().__init__()
        blocks, c = [], in_ch
        for w in widths:
            blocks += [nn.Conv1d(c, w, kernel, padding=kernel // 2), nn.ReLU(), nn.MaxPool1d(2)]
            c = w
        self.features = nn.Sequential(*blocks)
        self.fc = nn.Sequential(nn.Linear(c, fc), nn.ReLU())
        self.out = nn.Linear(fc, n_classes)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.out(self.fc(h))


def init_model(model, icfg):
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            if icfg["scheme"] == "kaiming":
                nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5))
            if m.bias is not None:
                nn.init.constant_(m.bias, icfg["bias"])


def evaluate(model, loader):
    model.eval()
    correct = n = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            n += len(y)
    return correct / n


def main():
    dc = cfg["data"]
    train_ds = SensorWindows(dc["n_train"], dc["channels"], dc["length"], seed=0)
    test_ds = SensorWindows(dc["n_test"], dc["channels"], dc["length"], seed=1)
    train_dl = DataLoader(train_ds, batch_size=cfg["train"]["batch_size"], shuffle=True,
                          generator=torch.Generator().manual_seed(0))
    test_dl = DataLoader(test_ds, batch_size=256)

    model = ConvNet(dc["channels"], **cfg["model"])
    init_model(model, cfg["init"])
    opt = torch.optim.RMSprop(model.parameters(), lr=cfg["train"]["lr"], alpha=0.9)

    step = 0
    for epoch in range(cfg["train"]["epochs"]):
        model.train()
        run = 0.0
        for x, y in train_dl:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run += loss.item()
            step += 1
        if epoch % 3 == 2:
            print(f"epoch {epoch} step {step} loss {run / len(train_dl):.4f} "
                  f"test_acc {evaluate(model, test_dl):.3f}")


if __name__ == "__main__":
    main()
