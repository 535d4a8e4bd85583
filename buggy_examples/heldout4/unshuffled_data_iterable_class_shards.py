"""Seeded bug: an IterableDataset streams the digits table from per-class
"shards" (one shard per digit, read one after the other, as if from ten
files). DataLoader cannot shuffle an IterableDataset and no shuffle buffer
was written, so every batch holds a single class and each stretch of steps
pushes the classifier toward the current digit; the loss at the end of every
shard-pass is high on the other digits. Measured: loss
on the full table 2.47 after 5 epochs vs 0.088 with a shuffled stream."""
# traindebug-expect: unshuffled_data
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)


class ShardStream(IterableDataset):
    def __init__(self, X, y):
        self.shards = [(X[y == c], y[y == c]) for c in range(10)]

    def __iter__(self):
        for xs, ys in self.shards:  # BUG: shards in fixed order, no shuffle buffer
            for i in range(len(xs)):
                yield xs[i], ys[i]


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
crit = nn.CrossEntropyLoss()
loader = DataLoader(ShardStream(X, y), batch_size=32)
losses = []
for epoch in range(5):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        full = crit(model(X), y).item()
    print(epoch, "full-table loss", round(full, 4))
print(f"first {losses[0]:.4f} final batch {sum(losses[-20:]) / 20:.4f} full-table {full:.4f}")
