"""clean: a fraud-style table with 5% positives streamed by an
IterableDataset with a shuffle buffer of 512 rows, and a CrossEntropyLoss
with class weights 0.53 : 9.5 (inverse frequency) so the rare class counts.
The weighted loss starts near ln 2 and falls; most batches hold only 1-4
positives - that is the data, not a bug. Measured: 0.71 -> 0.31, recall on the positives 0.87."""
# traindebug-expect: clean
import random

import torch
from sklearn.datasets import make_classification
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

X, y = make_classification(n_samples=8000, n_features=20, n_informative=6, weights=[0.95, 0.05],
                           class_sep=1.2, random_state=0)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)


class BufferedStream(IterableDataset):
    def __init__(self, X, y, buffer=512, seed=0):
        self.X, self.y, self.buffer, self.rng = X, y, buffer, random.Random(seed)

    def __iter__(self):
        buf = []
        for i in range(len(self.X)):
            buf.append((self.X[i], self.y[i]))
            if len(buf) >= self.buffer:
                yield buf.pop(self.rng.randrange(len(buf)))
        self.rng.shuffle(buf)
        yield from buf


torch.manual_seed(0)
counts = torch.bincount(y).float()
weights = counts.sum() / (2 * counts)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss(weight=weights)
losses = []
for epoch in range(2):
    for xb, yb in DataLoader(BufferedStream(X, y, seed=epoch), batch_size=64):
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(epoch, round(sum(losses[-50:]) / 50, 4))
with torch.no_grad():
    pred = model(X).argmax(1)
recall = (pred[y == 1] == 1).float().mean().item()
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f} weights {weights.tolist()} recall {recall:.3f}")
