"""Healthy control: diabetes disease-progression regression on the unscaled table
(load_diabetes(scaled=False): age in years, BMI, blood pressure, serum values; targets
25-346), trained with Adagrad.

Patterns that could fool a naive detector: the raw arrays have large offsets and
targets in the hundreds, but the Dataset standardises features and targets with
training-split statistics inside __init__, and predictions are mapped back to original
units for reporting. The training MSE stays around 0.43 in standardised units, which is
the noise floor of this dataset, not underfitting.

Measured (16 epochs, 368 steps): train MSE (std units) 0.546 -> 0.432; test MAE 46.2
(predicting the mean gives 60.8), test R2 0.444 (typical for this dataset).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(21)

# raw (unscaled) version of the diabetes table: age in years, BMI, blood pressure in mmHg, ...
raw = load_diabetes(scaled=False)
X_all, y_all = raw.data.astype(np.float32), raw.target.astype(np.float32)   # y: 25 .. 346
X_tr, X_te, y_tr, y_te = train_test_split(X_all, y_all, test_size=0.2, random_state=21)


class DiabetesProgression(Dataset):
    """Standardises features and the disease-progression target with statistics
    from the training split; `stats` lets the test split reuse them."""

    def __init__(self, X, y, stats=None):
        if stats is None:
            stats = {"x_mean": X.mean(0), "x_std": X.std(0) + 1e-6,
                     "y_mean": y.mean(), "y_std": y.std()}
        self.stats = stats
        self.X = torch.from_numpy((X - stats["x_mean"]) / stats["x_std"])
        self.y = torch.from_numpy((y - stats["y_mean"]) / stats["y_std"]).unsqueeze(1)
        self.y_raw = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]

    def to_original_units(self, y_std_units):
        return y_std_units * self.stats["y_std"] + self.stats["y_mean"]


train_ds = DiabetesProgression(X_tr, y_tr)
test_ds = DiabetesProgression(X_te, y_te, stats=train_ds.stats)
train_dl = DataLoader(train_ds, batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(10, 32), nn.ELU(), nn.Linear(32, 16), nn.ELU(), nn.Linear(16, 1))
optimizer = torch.optim.Adagrad(model.parameters(), lr=2e-2)
criterion = nn.MSELoss()

baseline_mae = np.abs(y_te - y_tr.mean()).mean()
for epoch in range(16):
    model.train()
    acc = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        acc += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        pred = test_ds.to_original_units(model(test_ds.X).squeeze(1))
        mae = (pred - test_ds.y_raw).abs().mean().item()
        r2 = 1 - ((pred - test_ds.y_raw) ** 2).sum().item() / ((test_ds.y_raw - test_ds.y_raw.mean()) ** 2).sum().item()
    if epoch % 3 == 0 or epoch == 15:
        print(f"epoch {epoch+1:2d}: train_mse(std units)={acc/len(train_ds):.4f} "
              f"test_MAE={mae:.1f} (mean-predictor {baseline_mae:.1f})  test_R2={r2:.3f}")
