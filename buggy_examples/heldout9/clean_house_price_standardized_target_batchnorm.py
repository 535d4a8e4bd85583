"""Healthy control: MLP with BatchNorm predicting simulated house prices (mean ~$760k,
std ~$216k), SGD with Nesterov momentum and a cosine schedule.

Patterns that may fool a naive detector: the raw regression target has a huge offset
and scale, and features are in very different units (m^2, years, km) - but both
inputs and target are standardised with training statistics before training and the
predictions are mapped back to dollars only for reporting, so printed errors are
large numbers. Validation is run in model.eval() so BatchNorm uses running statistics,
which is the correct mode for evaluation.

Measured (320 steps): train MSE in standardised units 0.111 -> 0.026, val RMSE $25.2k
(simulation noise std $20k), val R^2 0.972 -> 0.985."""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SETTINGS = {
    "n_houses": 5000,
    "val_fraction": 0.2,
    "hidden": (128, 64),
    "sgd": {"lr": 0.03, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4},
    "batch_size": 128,
    "epochs": 10,
}


def simulate_houses(n, seed=0):
    rng = np.random.default_rng(seed)
    living_area = rng.gamma(9.0, 20.0, n)                 # m^2
    lot_size = living_area * rng.uniform(1.5, 6.0, n)       # m^2
    year_built = rng.integers(1900, 2024, n).astype(float)
    rooms = np.clip(np.round(living_area / 30 + rng.normal(0, 1, n)), 1, None)
    dist_center = rng.exponential(8.0, n)                   # km
    quality = rng.integers(1, 11, n).astype(float)
    X = np.stack([living_area, lot_size, year_built, rooms, dist_center, quality], 1)
    price = (120_000 + 2_300 * living_area + 12 * lot_size
             + 900 * (year_built - 1900) * (quality / 5)
             + 60_000 * np.exp(-dist_center / 5) * quality
             + 4_000 * rooms + rng.normal(0, 20_000, n))
    return X.astype(np.float32), price.astype(np.float32)


class Standardizer:
    def fit(self, a):
        self.mean = a.mean(0)
        self.std = a.std(0) + 1e-8
        return self

    def transform(self, a):
        return (a - self.mean) / self.std

    def inverse(self, a):
        return a * self.std + self.mean


def make_model(d_in, hidden):
    layers, d = [], d_in
    for h in hidden:
        layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU()]
        d = h
    layers.append(nn.Linear(d, 1))
    return nn.Sequential(*layers)


def main():
    X, price = simulate_houses(SETTINGS["n_houses"])
    n_val = int(SETTINGS["val_fraction"] * len(X))
    Xtr, Xva, ptr, pva = X[n_val:], X[:n_val], price[n_val:], price[:n_val]
    xs, ys = Standardizer().fit(Xtr), Standardizer().fit(ptr)
    print(f"price mean {ptr.mean():,.0f}  std {ptr.std():,.0f}")

    tr = TensorDataset(torch.from_numpy(xs.transform(Xtr)), torch.from_numpy(ys.transform(ptr)))
    loader = DataLoader(tr, batch_size=SETTINGS["batch_size"], shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    xva_t = torch.from_numpy(xs.transform(Xva))

    model = make_model(X.shape[1], SETTINGS["hidden"])
    opt = torch.optim.SGD(model.parameters(), **SETTINGS["sgd"])
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=SETTINGS["epochs"] * len(loader))
    loss_fn = nn.MSELoss()
    for epoch in range(SETTINGS["epochs"]):
        model.train()
        run = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(xb).squeeze(1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            run += loss.item() * len(xb)
        model.eval()  # BatchNorm uses its running statistics for validation
        with torch.no_grad():
            pred = ys.inverse(model(xva_t).squeeze(1).numpy())
        rmse = float(np.sqrt(np.mean((pred - pva) ** 2)))
        mae = float(np.mean(np.abs(pred - pva)))
        r2 = 1 - np.mean((pred - pva) ** 2) / np.var(pva)
        if epoch % 3 == 0 or epoch == SETTINGS["epochs"] - 1:
            print(f"epoch {epoch} train_mse(std units) {run / len(tr):.4f} "
                  f"val_rmse ${rmse:,.0f} val_mae ${mae:,.0f} val_r2 {r2:.3f}")


if __name__ == "__main__":
    main()
