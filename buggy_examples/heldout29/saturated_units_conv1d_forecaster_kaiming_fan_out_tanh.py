"""1-D CNN multi-horizon forecaster on a synthetic daily/weekly seasonal series (standardised):
Conv1d(1,16,5)-tanh-Conv1d(16,32,5)-tanh over a 96-step window, flatten (3072) ->
Linear(3072,64)-tanh -> Linear(64,12) predicting the next 12 steps. DataLoader batches of 64,
SGD momentum 0.9 lr 0.01, 6 epochs (222 steps), MSE.

Seeded bug: reset_parameters() uses nn.init.kaiming_normal_(..., mode="fan_out",
nonlinearity="tanh") for every layer - mode="fan_out" is the torchvision ResNet recipe for convs,
copied here onto the Linear layers. For the flatten->64 layer fan_out is 64 instead of fan_in 3072,
so its weights are ~7x too large: the hidden pre-activations have std ~4.5 and over half of the
tanh units sit at |tanh| > 0.99 from the first step, passing almost no gradient.

Measured (plain python, 1 thread): at init 54% of hidden tanh outputs have |h| > 0.99 (pre-act
std 4.5) vs 2.4% (std 1.1) with mode="fan_in". Final train MSE 0.163 / val MSE 0.156 buggy vs
train 0.052 / val 0.058 for the fixed copy.
"""
# traindebug-expect: saturated_units
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

WINDOW, HORIZON = 96, 12


def make_series(n=6000):
    t = np.arange(n, dtype=np.float64)
    s = (np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 168 + 1.0)
         + 0.3 * np.sin(2 * np.pi * t / 9.5) + 0.15 * np.random.randn(n))
    return s.astype(np.float32)


def windows(series, start, stop):
    xs, ys = [], []
    for i in range(start, stop - WINDOW - HORIZON, 2):
        xs.append(series[i:i + WINDOW])
        ys.append(series[i + WINDOW:i + WINDOW + HORIZON])
    return torch.tensor(np.stack(xs)).unsqueeze(1), torch.tensor(np.stack(ys))


class ConvForecaster(nn.Module):
    def __init__(self, channels=(16, 32), hidden=64):
        super().__init__()
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv1d(1, c1, kernel_size=5, padding=2), nn.Tanh(),
            nn.Conv1d(c1, c2, kernel_size=5, padding=2), nn.Tanh(),
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * WINDOW, hidden), nn.Tanh(),
            nn.Linear(hidden, HORIZON),
        )
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="tanh")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.features(x))


def evaluate(model, loader, loss_fn):
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item() * len(xb)
            n += len(xb)
    model.train()
    return total / n


def main():
    series = make_series()
    split = int(0.8 * len(series))
    mu, sd = series[:split].mean(), series[:split].std()
    series = (series - mu) / sd
    x_tr, y_tr = windows(series, 0, split)
    x_va, y_va = windows(series, split, len(series))
    train_dl = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(x_va, y_va), batch_size=256)

    model = ConvForecaster()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(1, 7):
        running = 0.0
        for xb, yb in train_dl:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            step += 1
        val = evaluate(model, val_dl, loss_fn)
        print(f"epoch {epoch}  steps {step}  train mse {running / len(train_dl):.4f}  val mse {val:.4f}")
    print(f"final val mse: {val:.4f}")


if __name__ == "__main__":
    main()
