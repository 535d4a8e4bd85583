"""Healthy control: synthetic house-price regression (5 raw features: square
feet ~1900, bedrooms, build year ~1970, distance in km, lot size ~5500;
prices $51k..$663k) with a SiLU MLP, plain SGD without momentum, a custom
Dataset and small callback objects (best-weights keeper, logger).

Patterns that may fool a naive detector: the raw features and targets are in
the thousands to hundreds of thousands, but both X and y are standardised
with training-set statistics before they reach the model (and predictions
are mapped back to dollars only for reporting); plain SGD without momentum
at lr 0.03 converges steadily rather than fast; the loss flattens at the
irreducible noise level (noise std $25k, i.e. z-MSE ~0.07), not at zero.
Measured (10 epochs, 320 steps): train z-MSE 0.767 -> 0.080, val z-MSE
0.479 -> 0.072, val RMSE $65,440 -> $25,369 (noise floor ~$25,000),
val MAE $19,949 vs $76,140 for predicting the mean.
"""
# traindebug-expect: clean
import copy

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

rng = np.random.default_rng(2024)
torch.manual_seed(2024)


def synth_housing(n):
    sqft = rng.normal(1900, 650, n).clip(400, 6000)
    bedrooms = np.clip(np.round(sqft / 700 + rng.normal(0, 0.7, n)), 1, 7)
    year = rng.integers(1920, 2023, n).astype(float)
    dist_km = rng.gamma(2.0, 6.0, n)
    lot = rng.lognormal(8.6, 0.5, n)
    price = (95 * sqft + 14000 * bedrooms + 900 * (year - 1920) - 9000 * np.sqrt(dist_km)
             + 2.2 * lot + 40 * sqft * np.exp(-dist_km / 8) + rng.normal(0, 25000, n) + 60000)
    X = np.stack([sqft, bedrooms, year, dist_km, lot], 1)
    return X.astype(np.float64), price.astype(np.float64)


class Standardizer:
    def fit(self, a):
        self.mean, self.std = a.mean(0), a.std(0)
        return self

    def transform(self, a):
        return (a - self.mean) / self.std

    def inverse(self, a):
        return a * self.std + self.mean


class HousingDS(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class BestWeights:
    """Callback: keep the weights with the lowest validation loss."""

    def __init__(self):
        self.best, self.state = float("inf"), None

    def on_epoch_end(self, model, val_loss):
        if val_loss < self.best:
            self.best, self.state = val_loss, copy.deepcopy(model.state_dict())


class PrintLogger:
    def __init__(self, y_scaler):
        self.y_scaler = y_scaler

    def on_epoch_end(self, model, val_loss, epoch=None, train_loss=None):
        rmse_dollars = np.sqrt(val_loss) * self.y_scaler.std
        print(f"epoch {epoch:2d} train_mse(z) {train_loss:.4f} val_mse(z) {val_loss:.4f} "
              f"val_rmse ${rmse_dollars:,.0f}")


X_all, y_all = synth_housing(2500)
X_tr, y_tr, X_va, y_va = X_all[:2000], y_all[:2000], X_all[2000:], y_all[2000:]
x_sc, y_sc = Standardizer().fit(X_tr), Standardizer().fit(y_tr)
print(f"price range ${y_tr.min():,.0f} .. ${y_tr.max():,.0f}, std ${y_sc.std:,.0f}")

train_dl = DataLoader(HousingDS(x_sc.transform(X_tr), y_sc.transform(y_tr)), batch_size=64, shuffle=True)
Xv = torch.tensor(x_sc.transform(X_va), dtype=torch.float32)
yv = torch.tensor(y_sc.transform(y_va), dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(5, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.03)      # plain SGD, no momentum
mse = nn.MSELoss()
best, logger = BestWeights(), PrintLogger(y_sc)

for epoch in range(1, 11):
    model.train()
    tl = []
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = mse(model(xb), yb)
        loss.backward()
        opt.step()
        tl.append(loss.item())
    model.eval()
    with torch.no_grad():
        vl = mse(model(Xv), yv).item()
    best.on_epoch_end(model, vl)
    logger.on_epoch_end(model, vl, epoch=epoch, train_loss=float(np.mean(tl)))

model.load_state_dict(best.state)
with torch.no_grad():
    pred = y_sc.inverse(model(Xv).squeeze(1).numpy().astype(np.float64))
mae = np.abs(pred - y_va).mean()
baseline = np.abs(y_va - y_tr.mean()).mean()
print(f"best val MAE ${mae:,.0f} (predict-the-mean baseline ${baseline:,.0f})")
