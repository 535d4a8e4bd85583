"""Seeded bug: a 1-D conv classifier for 5 synthetic waveform classes. To make
a "stratified" train/val split the script sorts all samples by label, takes
every 5th sample for validation, and then builds the training DataLoader with
shuffle=False, so each batch holds one class and the model chases the class of
the moment. Final val loss 1.683 vs 0.005 fixed (shuffle=True)."""
# traindebug-expect: unshuffled_data
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n, length = 2500, 64
labels = torch.randint(0, 5, (n,))
t = torch.linspace(0, 1, length)
freq = (labels.float() + 1.0) * 2.0
phase = torch.rand(n, 1) * 2 * math.pi
signals = torch.sin(2 * math.pi * freq[:, None] * t + phase) + 0.5 * torch.randn(n, length)

order = torch.argsort(labels, stable=True)
signals, labels = signals[order], labels[order]
val_mask = torch.arange(n) % 5 == 0
train = TensorDataset(signals[~val_mask, None, :], labels[~val_mask])
X_val, y_val = signals[val_mask, None, :], labels[val_mask]
loader = DataLoader(train, batch_size=64, shuffle=False)

model = nn.Sequential(nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
                      nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
                      nn.Flatten(), nn.Linear(16, 5))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    model.train()
    for xb, yb in loader:
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val = nn.functional.cross_entropy(model(X_val), y_val).item()
    print(f"epoch {epoch} train {loss.item():.4f} val {val:.4f}")
