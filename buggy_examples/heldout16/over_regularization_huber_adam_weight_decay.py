"""
Robust regression on make_friedman1 (plus 40 corrupted training targets) with
SmoothL1Loss (Huber), standardised targets, Adam + cosine schedule.

Seeded bug (over_regularization): Adam is created with weight_decay=0.1.  In
torch.optim.Adam this is coupled L2 added to the gradient; the Huber loss gradient
is bounded (|dL/dpred| <= 1), so the decay term 0.1*w dominates the gradient and the
network is held to a nearly linear, shrunken fit.

Measured (12 epochs, 360 steps):
  buggy : train Huber 0.384 -> 0.307 (plateau), test RMSE 2.93, test R^2 0.635
  fixed (weight_decay=1e-4): train Huber 0.245 -> 0.174, test RMSE 1.43, test R^2 0.913
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 3
torch.manual_seed(SEED)
np.random.seed(SEED)
torch.set_num_threads(1)

X, y = make_friedman1(n_samples=1200, n_features=10, noise=0.5, random_state=SEED)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=SEED)
xs = StandardScaler().fit(Xtr)
y_mu, y_sd = ytr.mean(), ytr.std()
Xtr = torch.tensor(xs.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(xs.transform(Xte), dtype=torch.float32)
ytr_n = torch.tensor((ytr - y_mu) / y_sd, dtype=torch.float32)
yte_t = torch.tensor(yte, dtype=torch.float32)

# a few corrupted targets in the training set -> use a robust loss
rng = np.random.default_rng(SEED)
bad = rng.choice(len(ytr_n), size=40, replace=False)
ytr_n[bad] += torch.tensor(rng.choice([-4.0, 4.0], size=40), dtype=torch.float32)

model = nn.Sequential(
    nn.Linear(10, 64), nn.GELU(),
    nn.Linear(64, 32), nn.GELU(),
    nn.Linear(32, 1),
)
criterion = nn.SmoothL1Loss(beta=1.0)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=0.1)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=360)


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = model(Xte).squeeze(1) * y_sd + y_mu
    rmse = torch.sqrt(((pred - yte_t) ** 2).mean()).item()
    r2 = 1 - ((pred - yte_t) ** 2).sum().item() / ((yte_t - yte_t.mean()) ** 2).sum().item()
    return rmse, r2


BATCH = 32
step = 0
for epoch in range(12):
    model.train()
    perm = torch.randperm(len(Xtr))
    ep_loss = 0.0
    for i in range(0, len(Xtr), BATCH):
        b = perm[i:i + BATCH]
        loss = criterion(model(Xtr[b]).squeeze(1), ytr_n[b])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        step += 1
        ep_loss += loss.item() * len(b)
    if epoch % 3 == 2:
        rmse, r2 = evaluate()
        print(f"epoch {epoch:2d} step {step} train_huber {ep_loss / len(Xtr):.4f} test_rmse {rmse:.3f} test_r2 {r2:.3f}")
