"""Healthy control: regression of compressor shaft power (W) from raw plant
sensor readings in physical units (temperature in K about 300, inlet pressure in
Pa about 1.0e5, flow in m3/h, shaft rpm about 1500-3600, humidity 0-1). Adamax with
cosine LR.

What might fool a naive detector: the tensors in the DataLoader are badly scaled
(a pressure column with mean about 101,000 and targets with mean about 1,000 W),
which looks like input_scale. But the model standardises its input in forward()
using statistics stored in registered buffers before the first Linear layer. The
target is standardised inside the training loop, and predictions are converted
back to watts only for reporting.

Measured (12 epochs, 360 steps): train MSE (standardised units) 0.169 -> 0.0105;
val RMSE 157 W -> 52.5 W (target std 606 W), val R^2 0.992.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(99)
FEATURES = ["inlet_temp_K", "inlet_pressure_Pa", "flow_m3h", "shaft_rpm", "ambient_rh"]


def simulate_compressor(n, rng):
    T = rng.uniform(275.0, 320.0, n)
    P = rng.uniform(0.95e5, 1.08e5, n)
    Q = rng.uniform(20.0, 90.0, n)
    rpm = rng.uniform(1500.0, 3600.0, n)
    rh = rng.uniform(0.1, 0.95, n)
    # shaft power (W): roughly Q * pressure ratio work, efficiency drops off-design
    ratio = 1.0 + (rpm / 3000.0) ** 2 * 0.8
    eff = 0.82 - 0.25 * ((Q - 55.0) / 55.0) ** 2 - 0.03 * rh
    power = (Q / 3600.0) * P * 3.5 * (ratio ** 0.2857 - 1.0) * T / 288.0 / eff
    power = power + rng.normal(0, 0.02 * power.std(), n)
    X = np.stack([T, P, Q, rpm, rh], 1)
    return torch.tensor(X, dtype=torch.float64).float(), torch.tensor(power).float()


class PowerModel(nn.Module):
    """Takes raw sensor readings; standardisation statistics live in buffers
    so the exported model can be fed the plant's units directly."""

    def __init__(self, x_mean, x_std, hidden=64):
        super().__init__()
        self.register_buffer("x_mean", x_mean)
        self.register_buffer("x_std", x_std)
        self.net = nn.Sequential(
            nn.Linear(len(x_mean), hidden), nn.Tanh(),
            nn.Linear(hidden, hidden), nn.Tanh(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x_raw):
        return self.net((x_raw - self.x_mean) / self.x_std).squeeze(-1)


def main():
    rng = np.random.default_rng(99)
    X_tr, y_tr = simulate_compressor(3000, rng)
    X_va, y_va = simulate_compressor(600, rng)
    print(f"raw target: mean {y_tr.mean():.0f} W, std {y_tr.std():.0f} W; "
          f"pressure column mean {X_tr[:, 1].mean():.0f} Pa")

    y_mu, y_sd = y_tr.mean(), y_tr.std()
    model = PowerModel(X_tr.mean(0), X_tr.std(0))
    opt = torch.optim.Adamax(model.parameters(), lr=4e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12)
    dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=100, shuffle=True)

    for epoch in range(12):
        model.train()
        tot = 0.0
        for xb, yb in dl:
            target = (yb - y_mu) / y_sd          # regress the standardised power
            loss = nn.functional.mse_loss(model(xb), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
        sched.step()
        model.eval()
        with torch.no_grad():
            pred_w = model(X_va) * y_sd + y_mu
            rmse = math.sqrt(nn.functional.mse_loss(pred_w, y_va).item())
            r2 = 1 - ((pred_w - y_va) ** 2).sum() / ((y_va - y_va.mean()) ** 2).sum()
        print(f"epoch {epoch:2d} train_mse(std units) {tot / len(X_tr):.4f} "
              f"val_rmse {rmse:8.1f} W  val_R2 {r2.item():.4f}")


if __name__ == "__main__":
    main()
