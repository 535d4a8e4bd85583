"""Seeded bug: gradient accumulation over accum_steps=16 micro-batches, with the
step condition written on the per-epoch batch index: `(i + 1) % accum_steps == 0`.
Each epoch has only 12 batches, so the condition is never true, the optimizer
never steps and the weights never change (the gradients are computed every
batch). Final loss 1.208 vs 0.777 fixed (global micro-batch counter)."""
# traindebug-expect: frozen_or_unoptimized
import torch
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

X, y = make_classification(n_samples=1500, n_features=16, n_informative=10, n_classes=3, random_state=1)
X = StandardScaler().fit_transform(X)
torch.manual_seed(0)
data = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = DataLoader(data, batch_size=128, shuffle=True)

model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 3))
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
accum_steps = 16
for epoch in range(25):
    for i, (xb, yb) in enumerate(loader):
        loss = nn.functional.cross_entropy(model(xb), yb) / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            opt.step()
            opt.zero_grad()
    print(f"epoch {epoch} loss {loss.item() * accum_steps:.4f}")
