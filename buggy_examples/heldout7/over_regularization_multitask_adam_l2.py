"""Multi-task regression (shared trunk + nn.ModuleDict heads) on Friedman-1 plus a second
nonlinear response.

Seeded bug (over_regularization): weight_decay=5e-2 (an AdamW-style value) is passed
to plain torch.optim.Adam. There it becomes an L2 term added to the gradient and
rescaled by Adam's preconditioner, so the decay term dominates the update and holds the
weights far below the size the fit needs (total weight norm shrinks to about 3.6 against
12 without it).

Measured (12 epochs, 288 steps): train_mse 0.147, test_mse 0.149 / 0.121 (two tasks,
standardised targets). The fixed copy (weight_decay=1e-5) gets train_mse 0.059,
test_mse 0.045 / 0.040.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(5)

CONFIG = {
    "hidden": 128,
    "dropout": 0.1,
    "lr": 2e-3,
    "weight_decay": 5e-2,
    "batch_size": 64,
    "epochs": 12,
}

# two related targets from the same inputs: friedman1 and a second nonlinear response
X, y1 = make_friedman1(n_samples=2000, n_features=10, noise=0.5, random_state=0)
y2 = np.sin(3 * X[:, 0]) * X[:, 1] * 10 + 5 * X[:, 3] ** 2 + np.random.default_rng(0).normal(0, 0.3, len(X))
Y = np.column_stack([y1, y2])

X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.25, random_state=0)
xs, ys = StandardScaler().fit(X_tr), StandardScaler().fit(Y_tr)
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(to_t(xs.transform(X_tr)), to_t(ys.transform(Y_tr))),
                      batch_size=CONFIG["batch_size"], shuffle=True)
X_te_t, Y_te_t = to_t(xs.transform(X_te)), to_t(ys.transform(Y_te))


class MultiTaskNet(nn.Module):
    def __init__(self, d_in, hidden, dropout, tasks=("friedman", "response")):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout))
        self.heads = nn.ModuleDict({t: nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))
                                    for t in tasks})

    def forward(self, x):
        h = self.trunk(x)
        return torch.cat([head(h) for head in self.heads.values()], dim=1)


model = MultiTaskNet(X.shape[1], CONFIG["hidden"], CONFIG["dropout"])
optimizer = torch.optim.Adam(model.parameters(), lr=CONFIG["lr"], weight_decay=CONFIG["weight_decay"])
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
mse = nn.MSELoss()

for epoch in range(CONFIG["epochs"]):
    model.train()
    run = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = mse(model(xb), yb)
        loss.backward()
        optimizer.step()
        run += loss.item() * len(xb)
    train_loss = run / len(train_dl.dataset)
    model.eval()
    with torch.no_grad():
        pred = model(X_te_t)
        per_task = ((pred - Y_te_t) ** 2).mean(0)
    scheduler.step(per_task.mean())
    print(f"epoch {epoch+1:2d} train_mse={train_loss:.4f} test_mse(friedman)={per_task[0]:.4f} "
          f"test_mse(response)={per_task[1]:.4f}")
