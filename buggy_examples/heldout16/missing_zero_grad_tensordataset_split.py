"""Friedman #1 regression with an MLP, data in a TensorDataset split with
random_split, manual epoch/batch loop with DataLoader and Adam.

Seeded bug: optimizer.zero_grad() sits at the top of the epoch loop instead of
inside the batch loop, so gradients accumulate over all ~19 batches of an
epoch; each step follows the running sum of every earlier batch's gradient
(at stale parameters), and the model oscillates instead of converging.

Measured (304 optimizer steps): buggy val_mse bounces between 0.25 and 1.21
and ends at 0.371 (standardised target), train_mse 0.371; fixed copy
(zero_grad per batch) decreases steadily to train_mse 0.049, val_mse 0.052.
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader, random_split
from sklearn.datasets import make_friedman1

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=0)
X = (X - X.mean(0)) / X.std(0)
y_mean, y_std = y.mean(), y.std()
y = (y - y_mean) / y_std

dataset = TensorDataset(torch.tensor(X, dtype=torch.float32),
                        torch.tensor(y, dtype=torch.float32).unsqueeze(1))
n_val = 300
train_ds, val_ds = random_split(dataset, [len(dataset) - n_val, n_val],
                                generator=torch.Generator().manual_seed(42))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True,
                          generator=torch.Generator().manual_seed(1))
val_loader = DataLoader(val_ds, batch_size=256)

model = nn.Sequential(
    nn.Linear(10, 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.MSELoss()


def evaluate():
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            se += ((model(xb) - yb) ** 2).sum().item()
            n += len(xb)
    return se / n


for epoch in range(16):
    model.train()
    optimizer.zero_grad()
    total, count = 0.0, 0
    for xb, yb in train_loader:
        pred = model(xb)
        loss = loss_fn(pred, yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    val_mse = evaluate()
    print(f"epoch {epoch+1:2d} train_mse {total/count:.4f} val_mse {val_mse:.4f} "
          f"(val RMSE in target units {np.sqrt(val_mse)*y_std:.3f})")
