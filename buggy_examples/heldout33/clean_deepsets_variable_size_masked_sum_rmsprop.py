"""
DeepSets regressor on variable-size sets of 2-D points (3 to 40 points per set, padded to 40):
phi = per-point MLP 2 -> 64 -> 64 (ReLU), masked sum pooling, rho = 64 -> 64 -> 1. Target: the
number of points that fall inside the unit disc (a permutation-invariant count), standardised.
RMSprop lr 1e-3, batch 64, 10 epochs (190 steps), custom collate in a DataLoader that pads each
batch and returns a boolean mask.

Healthy control: correct masked DeepSets; the test MSE (standardised units) falls far below the
variance of the target (1.0).
Possible false alarm: padded slots are zeroed by the mask before pooling, so a large, changing
fraction of phi's per-point activations get exactly zero gradient in every batch, and the batch
composition (set sizes) varies a lot, making the loss jumpy. A detector could read the zero
gradients as dead units / no gradient flow, or the size-dependent sum as batch mixing.

Measured (seed 0, 1 thread): final train MSE 0.102, test MSE 0.073 (predict-the-mean
baseline ~1.0), falling from 0.54 after epoch 0.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)

MAX_SET = 40


class DiscCountSets(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.sets = [rng.normal(scale=1.0, size=(rng.integers(3, MAX_SET + 1), 2)).astype(np.float32)
                     for _ in range(n)]
        self.counts = np.array([(np.linalg.norm(s, axis=1) < 1.0).sum() for s in self.sets], dtype=np.float32)

    def __len__(self):
        return len(self.sets)

    def __getitem__(self, i):
        return torch.from_numpy(self.sets[i]), self.counts[i]


def pad_collate(batch):
    pts = torch.zeros(len(batch), MAX_SET, 2)
    mask = torch.zeros(len(batch), MAX_SET, dtype=torch.bool)
    for i, (s, _) in enumerate(batch):
        pts[i, :len(s)] = s
        mask[i, :len(s)] = True
    y = torch.tensor([c for _, c in batch])
    return pts, mask, y


class DeepSets(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.rho = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, pts, mask):
        h = self.phi(pts) * mask.unsqueeze(-1)
        return self.rho(h.sum(1) / MAX_SET).squeeze(-1)


train_ds, test_ds = DiscCountSets(1200, seed=0), DiscCountSets(400, seed=1)
y_mean, y_std = float(train_ds.counts.mean()), float(train_ds.counts.std())
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=pad_collate)
test_dl = DataLoader(test_ds, batch_size=400, collate_fn=pad_collate)

model = DeepSets()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

for epoch in range(10):
    model.train()
    total, n = 0.0, 0
    for pts, mask, y in train_dl:
        loss = loss_fn(model(pts, mask), (y - y_mean) / y_std)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(y)
        n += len(y)
    model.eval()
    with torch.no_grad():
        pts, mask, y = next(iter(test_dl))
        test_mse = loss_fn(model(pts, mask), (y - y_mean) / y_std).item()
    if epoch % 2 == 1 or epoch == 0:
        print(f"epoch {epoch} train mse {total / n:.4f} test mse {test_mse:.4f}")
print(f"final train mse {total / n:.4f} test mse {test_mse:.4f}")
