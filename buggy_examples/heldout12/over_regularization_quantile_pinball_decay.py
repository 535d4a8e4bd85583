"""Quantile regression (10th/50th/90th percentiles) with a pinball loss on sklearn's diabetes data.

Seeded bug: the optimizer is Adam(..., weight_decay=0.5). Adam's coupled L2 term (0.5 * w) swamps the
pinball-loss gradient (whose magnitude is bounded by the quantile level), so the weights are held near
zero and the three quantile heads collapse towards each other.
Measured after 280 steps: val pinball 0.391, median MAE 0.893 (std units), 80% interval coverage 0.11,
mean interval width 0.45. With weight_decay=1e-4 (fixed copy): val pinball 0.180, median MAE 0.592,
coverage 0.64, width 1.33.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

Xn, yn = load_diabetes(return_X_y=True)
Xn = (Xn - Xn.mean(0)) / Xn.std(0)
y_mean, y_std = yn.mean(), yn.std()
yn = (yn - y_mean) / y_std
X = torch.tensor(Xn, dtype=torch.float32)
Y = torch.tensor(yn, dtype=torch.float32).unsqueeze(1)
perm = torch.randperm(len(X))
tr, va = perm[:350], perm[350:]

quantiles = torch.tensor([0.1, 0.5, 0.9])


def pinball(pred, y):
    err = y - pred
    return torch.maximum(quantiles * err, (quantiles - 1) * err).mean()


model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 64), nn.ReLU(),
                      nn.Linear(64, 3))
opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=0.5)

step = 0
for epoch in range(40):
    model.train()
    order = tr[torch.randperm(len(tr))]
    for i in range(0, len(order), 50):
        idx = order[i:i + 50]
        loss = pinball(model(X[idx]), Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1:3d}  train pinball {loss.item():.4f}")

model.eval()
with torch.no_grad():
    pred = model(X[va])
    cover = ((Y[va] >= pred[:, :1]) & (Y[va] <= pred[:, 2:])).float().mean().item()
    width = (pred[:, 2] - pred[:, 0]).mean().item()
    mae = (pred[:, 1:2] - Y[va]).abs().mean().item()
    print(f"val pinball {pinball(pred, Y[va]).item():.4f}  median MAE {mae:.3f} (std units)  "
          f"80% interval coverage {cover:.2f}  mean width {width:.3f}  steps {step}")
