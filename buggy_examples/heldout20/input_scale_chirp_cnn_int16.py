"""Seeded bug: the synthetic "audio" clips are stored as int16 PCM and fed to the
1-D CNN as raw sample values (about +-3e4) -- the ``/ 32768.0`` conversion to
[-1, 1] float audio was never applied in the loader.

Measured effect (buggy vs fixed copy): first-epoch loss 3.6e7 vs 1.39, final train loss 1.383 (chance)
vs 0.005,
validation accuracy 0.225 vs 1.000.
"""
# traindebug-expect: input_scale
import argparse
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)


def synth_chirps(n, length=512, sr=8000, seed=0):
    """Four classes: up-chirp, down-chirp, steady tone, two-tone, plus noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / sr
    X = np.zeros((n, length), dtype=np.int16)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        f0 = rng.uniform(300, 800)
        sweep = 0.5 * 40000 * t ** 2
        if y[i] == 0:
            ph = 2 * np.pi * (f0 * t + sweep)
        elif y[i] == 1:
            ph = 2 * np.pi * ((f0 + 2560) * t - sweep)
        elif y[i] == 2:
            ph = 2 * np.pi * (f0 + 1200) * t
        else:
            ph = 2 * np.pi * (f0 + 1200) * t * (1 + 0.3 * np.sin(2 * np.pi * 30 * t))
        sig = rng.uniform(0.3, 0.9) * np.sin(ph) + 0.2 * rng.standard_normal(length)
        X[i] = np.clip(sig * 32767, -32768, 32767).astype(np.int16)
    return X, y


class ClipDataset(Dataset):
    def __init__(self, pcm, labels):
        self.pcm, self.labels = pcm, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        wav = torch.from_numpy(self.pcm[i].astype(np.float32)).unsqueeze(0)
        return wav, int(self.labels[i])


class ChirpNet(nn.Module):
    def __init__(self, n_classes=4, ch=16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, ch, 9, stride=2, padding=4), nn.ReLU(),
            nn.Conv1d(ch, ch, 9, stride=2, padding=4), nn.ReLU(),
            nn.Conv1d(ch, 2 * ch, 9, stride=2, padding=4), nn.ReLU(),
            nn.AdaptiveAvgPool1d(4),
        )
        self.head = nn.Linear(8 * ch, n_classes)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--batch-size", type=int, default=32)
    args = p.parse_args()
    torch.manual_seed(0)
    X, y = synth_chirps(800)
    train_dl = DataLoader(ClipDataset(X[:640], y[:640]), batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(ClipDataset(X[640:], y[640:]), batch_size=160)
    model = ChirpNet()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    crit = nn.CrossEntropyLoss()
    for ep in range(args.epochs):
        model.train()
        tot, cnt = 0.0, 0
        for wav, lab in train_dl:
            loss = crit(model(wav), lab)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(lab); cnt += len(lab)
        model.eval()
        correct = 0
        with torch.no_grad():
            for wav, lab in val_dl:
                correct += (model(wav).argmax(1) == lab).sum().item()
        print(f"ep {ep+1} loss {tot/cnt:.4f} val_acc {correct/160:.3f}")


if __name__ == "__main__":
    main()
