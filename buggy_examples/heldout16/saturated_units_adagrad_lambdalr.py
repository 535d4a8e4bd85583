"""Tanh MLP regressor on Friedman #3 (plus distractor features), Adagrad with a
LambdaLR warm-up + linear-decay schedule.

Seeded bug: reset_parameters() initialises the hidden layers with
nn.init.normal_(std=1.0) instead of a fan-in scaled init. With 8 and 128 inputs
the pre-activations have std ~2.9 and ~9.3 (27% and 75% of them beyond
|3|), so most tanh units sit in their flat regions from the start and behave like fixed step functions; the output layer
is small, so the initial loss is normal (~1) and nothing looks wrong at first.

Measured (304 steps): buggy val_mse 0.440 (R^2 0.56) on the standardised
target, plateauing after epoch 2; fixed copy (xavier_uniform_) val_mse 0.084
(R^2 0.92).
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_friedman3
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# Smooth nonlinear regression problem (Friedman #3 plus 4 distractor features)
X, y = make_friedman3(n_samples=3000, noise=0.02, random_state=0)
rng = np.random.default_rng(0)
X = np.hstack([X, rng.normal(size=(len(X), 4))])
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
xs = StandardScaler().fit(X_tr)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr = torch.tensor(xs.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(xs.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor((y_tr - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
y_va = torch.tensor((y_va - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)


class TanhRegressor(nn.Module):
    def __init__(self, sizes=(8, 128, 128, 1)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.reset_parameters()

    def reset_parameters(self):
        for layer in self.layers[:-1]:
            nn.init.normal_(layer.weight, mean=0.0, std=1.0)
            nn.init.zeros_(layer.bias)
        # small output layer so the initial prediction is close to the target mean
        nn.init.normal_(self.layers[-1].weight, std=0.01)
        nn.init.zeros_(self.layers[-1].bias)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.tanh(layer(x))
        return self.layers[-1](x)


model = TanhRegressor()
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.03)
BATCH, EPOCHS, warmup = 64, 8, 20
total_steps = EPOCHS * ((len(X_tr) + BATCH - 1) // BATCH)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.1, 1 - s / total_steps))

for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(X_tr), BATCH):
        j = perm[i:i + BATCH]
        optimizer.zero_grad()
        loss = F.mse_loss(model(X_tr[j]), y_tr[j])
        loss.backward()
        optimizer.step()
        scheduler.step()
        tot += loss.item() * len(j)
    model.eval()
    with torch.no_grad():
        vl = F.mse_loss(model(X_va), y_va).item()
    print(f"epoch {epoch+1:2d} lr {scheduler.get_last_lr()[0]:.4f} train_mse {tot/len(X_tr):.4f} "
          f"val_mse {vl:.4f} val_R2 {1 - vl:.3f}")
