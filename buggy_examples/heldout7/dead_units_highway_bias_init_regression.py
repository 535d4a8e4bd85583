"""ReLU MLP regressor (3 x 128 trunk) on make_friedman1, Adam + cosine schedule.

Seeded bug: init_weights() copies the Highway-network gate trick and sets every trunk bias to
-2.0. With He-initialised weights the second and third ReLU layers are pushed below zero for
every input: over all 3000 inputs at init 0.8% of layer-1 units, 83% of layer-2 units and
100% of layer-3 units never activate, so no gradient reaches the trunk and the head can only learn a
constant.
Measured effect (320 steps): val MSE 1.011 on standardised targets (= predicting the mean,
RMSE 4.98 in original units) throughout training. Fixed (zero bias): val MSE 0.087, RMSE 1.46.
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from sklearn.datasets import make_friedman1


def init_weights(module):
    # He init for ReLU layers; negative bias as in Highway Networks (Srivastava et al. 2015)
    if isinstance(module, nn.Linear):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.constant_(module.bias, -2.0)


class Regressor(nn.Module):
    def __init__(self, d_in, width=128):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
        )
        self.head = nn.Linear(width, 1)
        self.trunk.apply(init_weights)

    def forward(self, x):
        return self.head(self.trunk(x)).squeeze(-1)


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.5, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    y_mean, y_std = y.mean(), y.std()
    y = (y - y_mean) / y_std
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    tr, va = random_split(ds, [2500, 500], generator=torch.Generator().manual_seed(0))
    tr_dl = DataLoader(tr, batch_size=64, shuffle=True)
    va_x, va_y = va[:]

    model = Regressor(10)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8 * len(tr_dl))
    for epoch in range(8):
        model.train()
        losses = []
        for xb, yb in tr_dl:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            va_mse = nn.functional.mse_loss(model(va_x), va_y).item()
        print(f"epoch {epoch} train_mse {np.mean(losses):.4f} val_mse {va_mse:.4f} "
              f"val_rmse(orig units) {np.sqrt(va_mse) * y_std:.3f}")
