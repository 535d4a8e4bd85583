"""1-D CNN (argparse config, custom Dataset/DataLoader) classifying noisy synthetic
waveforms (sine/square/sawtooth/chirp), SGD+Nesterov, 320 steps.

Seeded bug: the custom init uses nn.init.normal_(weight, std=1.0) for every conv and
linear layer (fan-in 7..160), so activations grow by ~sqrt(fan_in) per layer and the
initial logits are in the hundreds/thousands: first-epoch mean loss 434 vs ln(4)=1.39.

Measured (8 epochs): buggy val loss 1.03, val acc 0.588; fixed
(kaiming_normal_, nonlinearity='relu') first-epoch loss 1.19, val loss 0.44, val acc 0.816.
"""
# traindebug-expect: bad_init_scale
import argparse
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)


class WaveformDataset(Dataset):
    """Noisy sine / square / sawtooth / chirp signals, 4 classes."""

    def __init__(self, n, length=96, seed=0):
        rng = np.random.default_rng(seed)
        t = np.linspace(0, 1, length)
        self.x = np.empty((n, 1, length), dtype=np.float32)
        self.y = rng.integers(0, 4, n)
        for i, c in enumerate(self.y):
            f, ph = rng.uniform(2, 6), rng.uniform(0, 2 * np.pi)
            s = np.sin(2 * np.pi * f * t + ph)
            if c == 1:
                s = np.sign(s)
            elif c == 2:
                s = 2 * ((f * t + ph / (2 * np.pi)) % 1) - 1
            elif c == 3:
                s = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
            self.x[i, 0] = s + 1.0 * rng.normal(size=length)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.y[i])


class ConvNet1d(nn.Module):
    def __init__(self, ch=32, n_classes=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, ch, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(ch, ch, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(ch, ch, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
            nn.Flatten(), nn.Linear(ch, 64), nn.ReLU(), nn.Linear(64, n_classes))
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            nn.init.normal_(m.weight, mean=0.0, std=1.0)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    train_dl = DataLoader(WaveformDataset(2000, seed=args.seed), batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(WaveformDataset(500, seed=args.seed + 1), batch_size=250)
    model = ConvNet1d()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    crit = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        model.train()
        losses = []
        for xb, yb in train_dl:
            loss = crit(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            outs = [(model(xb), yb) for xb, yb in val_dl]
            val_loss = sum(crit(o, yb).item() * len(yb) for o, yb in outs) / 500
            correct = sum((o.argmax(1) == yb).sum().item() for o, yb in outs)
        print(f"epoch {epoch + 1} train_loss {np.mean(losses):.3f} val_loss {val_loss:.3f} val_acc {correct / 500:.3f}")


if __name__ == "__main__":
    main()
