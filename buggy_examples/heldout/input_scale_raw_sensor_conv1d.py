"""Seeded bug: a 1-D CNN on accelerometer-like sequences fed the raw sensor
counts (offset ~2000, amplitude ~800 counts) without normalisation."""
# traindebug-expect: input_scale
import math

import torch
from torch import nn


def synth_activity(n=1536, length=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    t = torch.arange(length).float()
    freq = (1.0 + y.float())[:, None] * 2 * math.pi / 32
    sig = torch.sin(freq * t + torch.rand(n, 1, generator=g) * 6.28) * (0.5 + 0.25 * y.float()[:, None])
    noise = 0.2 * torch.randn(n, length, generator=g)
    counts = 2048 + 800 * (sig + noise)  # 12-bit ADC counts
    return counts.round().unsqueeze(1), y


class ActivityNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveMaxPool1d(1),
        )
        self.classifier = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


torch.manual_seed(0)
X, y = synth_activity()  # BUG: raw counts go straight into the network
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
model = ActivityNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(6):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
