"""Seeded bug: an anomaly detector on generated sensor windows outputs raw
logits but trains with nn.BCELoss, which needs probabilities: the final sigmoid
was removed when switching from BCEWithLogitsLoss (or never added)."""
# traindebug-expect: loss_output_mismatch
import torch
from torch import nn

torch.manual_seed(0)
windows = torch.randn(2000, 32)
anomalous = torch.rand(2000) < 0.2
windows[anomalous] += torch.linspace(0, 3, 32)  # drift in anomalous windows
labels = anomalous.float()

detector = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 1))  # BUG: no nn.Sigmoid()
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(detector.parameters(), lr=1e-3)
for epoch in range(5):
    for xb, yb in zip(windows.split(100), labels.split(100)):
        optimizer.zero_grad()
        loss = criterion(detector(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
