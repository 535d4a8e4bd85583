"""Seeded bug: a 1-D CNN on synthetic sensor sequences; optimizer.zero_grad()
is called once before the epoch loop instead of once per batch, so gradients
pile up across all steps."""
# traindebug-expect: missing_zero_grad
import torch
from torch import nn


def make_data(n=1536, length=64, seed=1):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    x = 0.5 * torch.randn(n, 1, length, generator=g)
    for c, width in enumerate((3, 9, 21)):
        idx = (y == c).nonzero().flatten()
        start = torch.randint(0, length - width, (len(idx),), generator=g)
        for i, s in zip(idx.tolist(), start.tolist()):
            x[i, 0, s : s + width] += 2.0
    return x, y


model = nn.Sequential(
    nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
    nn.Flatten(), nn.Linear(32, 3),
)
torch.manual_seed(0)
X, y = make_data()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
optimizer.zero_grad()  # BUG: should be inside the batch loop
for epoch in range(7):
    running = 0.0
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item()
    print(f"epoch {epoch}: {running / len(loader):.4f}")
