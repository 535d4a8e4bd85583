"""Synthetic housing regression (log-price) with an nn.Sequential MLP and RMSprop.

Seeded bug (input_scale): a StandardScaler is fitted and X_train_s / X_val_s are computed,
but the tensors are built from the raw X_train / X_val. The first Linear layer sees
features like median income (~65000), distance in metres (up to 40000), lot size (~8000)
and year built (~1980) next to bedroom counts of 1-5. (The target is standardised
correctly.)

Measured (12 epochs, 300 steps): train MSE in the thousands and erratic
(2.2e3 ... 6.9e4 in standardised-target units), final val_mse 6358 (RMSE 48 in log-price).
Fixed copy (scaled features): val_mse 0.0249 (RMSE 0.095 in log-price).
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(5)
torch.manual_seed(5)

# ---- synthetic housing table -------------------------------------------------
N = 4000
sqft = rng.normal(1800, 600, N).clip(400, None)
year_built = rng.integers(1920, 2022, N).astype(float)
lot_size = rng.lognormal(9.0, 0.6, N)           # ~8000 sq ft
median_income = rng.normal(65000, 20000, N).clip(15000, None)
dist_center_m = rng.uniform(500, 40000, N)
bedrooms = rng.integers(1, 6, N).astype(float)
X = np.column_stack([sqft, year_built, lot_size, median_income, dist_center_m, bedrooms])

log_price = (11.5 + 0.45 * (sqft - 1800) / 600 + 0.15 * np.tanh((year_built - 1980) / 25)
             + 0.3 * (median_income - 65000) / 20000 - 0.25 * np.log(dist_center_m / 5000)
             + 0.05 * np.log(lot_size / 8000) + 0.08 * (bedrooms - 3) * (sqft > 2000)
             + rng.normal(0, 0.08, N))
y = log_price

X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=5)
x_scaler = StandardScaler().fit(X_train)
X_train_s, X_val_s = x_scaler.transform(X_train), x_scaler.transform(X_val)
y_mean, y_std = y_train.mean(), y_train.std()


def to_tensors(a, b):
    return (torch.tensor(a, dtype=torch.float32),
            torch.tensor((b - y_mean) / y_std, dtype=torch.float32).unsqueeze(1))


xt, yt = to_tensors(X_train, y_train)
xv, yv = to_tensors(X_val, y_val)

model = nn.Sequential(
    nn.Linear(6, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

BATCH = 128
for epoch in range(1, 13):
    model.train()
    perm = torch.randperm(len(xt))
    total = 0.0
    for i in range(0, len(xt), BATCH):
        idx = perm[i:i + BATCH]
        loss = loss_fn(model(xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        val_mse = loss_fn(model(xv), yv).item()
    if epoch % 2 == 0:
        rmse_log = (val_mse ** 0.5) * y_std
        print(f"epoch {epoch:2d}  train_mse {total / len(xt):.4f}  val_mse {val_mse:.4f}  "
              f"val_rmse(log-price) {rmse_log:.3f}")
