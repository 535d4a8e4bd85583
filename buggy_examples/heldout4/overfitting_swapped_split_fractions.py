"""Seeded bug: a TensorDataset + random_split pipeline for a 1-D conv
classifier of noisy waveforms (4 classes) with the fractions in the wrong
order: random_split(ds, [0.1, 0.9]) followed by "train, val = ...", so the
model trains on 10% of the data (160 windows) and validates on 90%. The
training loss goes to ~0 while the validation loss, evaluated every epoch
under @torch.no_grad(), bottoms out early and then climbs. Measured: train loss 0.001, validation
loss best 1.39 (first epoch), final 2.57 vs validation 0.65 with [0.9, 0.1]."""
# traindebug-expect: overfitting
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def make_windows(n, length=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (n,), generator=g)
    t = torch.arange(length).float()
    freq = 0.15 + 0.03 * labels.float()
    phase = torch.rand(n, 1, generator=g) * 2 * math.pi
    x = torch.sin(freq[:, None] * t + phase) + 2.0 * torch.randn(n, length, generator=g)
    return x.unsqueeze(1), labels


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv1d(1, 32, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
                                      nn.Conv1d(32, 64, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 24, 128), nn.ReLU(), nn.Linear(128, 4))

    def forward(self, x):
        return self.head(self.features(x))


@torch.no_grad()
def evaluate(model, loader, crit):
    model.eval()
    total = sum(crit(model(xb), yb).item() * len(yb) for xb, yb in loader)
    model.train()
    return total / len(loader.dataset)


X, y = make_windows(1600)
ds = TensorDataset(X, y)
train_ds, val_ds = random_split(ds, [0.1, 0.9], generator=torch.Generator().manual_seed(0))  # BUG: swapped
torch.manual_seed(0)
model = ConvNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)
val_hist = []
steps = 0
for epoch in range(100):
    for xb, yb in train_loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    val_hist.append(evaluate(model, val_loader, crit))
    if steps >= 280:
        break
print("val", [round(v, 3) for v in val_hist])
print(f"steps {steps} final train {loss.item():.4f} val best {min(val_hist):.4f} final {val_hist[-1]:.4f}")
