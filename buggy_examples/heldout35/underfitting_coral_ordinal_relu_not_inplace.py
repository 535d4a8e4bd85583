"""
Ordinal regression with a CORAL head (one shared score, K-1 learned ordered thresholds,
K-1 binary cross-entropies on the cumulative targets y > k). Data: 2000 generated points
x in [0, 1]^6 with score 2*sin(2*pi*x0)*sin(2*pi*x1) + x2 + noise, cut into 5 ordinal grades
by quantiles (only x0, x1, x2 matter). Custom nn.Module (6 -> 64 -> 64 -> 1 score) plus
CORAL biases, Adam lr 3e-3, batches of 64, 15 epochs over 1500 training rows (360 steps).
Reports exact-grade accuracy and mean absolute grade error on 500 test rows.

Seeded bug: forward() calls the hidden activations as statements, `h.relu()`, instead of
`h = h.relu()` (or the in-place `h.relu_()`). Tensor.relu() is out-of-place, so the result
is discarded and the network is a product of linear maps: a linear score cannot represent
the sin*sin interaction, so the model underfits the training grades no matter how long it
trains, with perfectly healthy gradients.

Measured (seed 0, 1 thread): buggy: train CORAL loss 0.574 (epoch 1) -> 0.565 (epoch 15),
train accuracy 0.230, test accuracy 0.244, test MAE 1.15 grades. Fixed copy
(`h = h.relu()`): train loss 0.488 -> 0.233, train accuracy 0.719, test accuracy 0.700,
test MAE 0.31.
"""
# traindebug-expect: underfitting
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

K = 5


def make_data(n, rng):
    x = rng.random((n, 6))
    score = 2 * np.sin(2 * np.pi * x[:, 0]) * np.sin(2 * np.pi * x[:, 1]) + x[:, 2]
    score += 0.1 * rng.standard_normal(n)
    return x.astype(np.float32), score


class CoralNet(nn.Module):
    def __init__(self, n_in, hidden=64, n_levels=K):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.score = nn.Linear(hidden, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(-1, 1, n_levels - 1))

    def forward(self, x):
        h = self.fc1(x)
        h.relu()
        h = self.fc2(h)
        h.relu()
        return self.score(h) - self.thresholds  # (B, K-1) cumulative logits


def coral_loss(logits, y):
    levels = (y.unsqueeze(1) > torch.arange(K - 1)).float()
    return F.binary_cross_entropy_with_logits(logits, levels)


def predict(logits):
    return (torch.sigmoid(logits) > 0.5).sum(dim=1)


def evaluate(model, x, y):
    with torch.no_grad():
        logits = model(x)
        pred = predict(logits)
    return coral_loss(logits, y).item(), (pred == y).float().mean().item(), \
        (pred - y).abs().float().mean().item()


rng = np.random.default_rng(0)
x_all, s_all = make_data(2000, rng)
x_all = (x_all - 0.5) / 0.29
edges = np.quantile(s_all[:1500], [0.2, 0.4, 0.6, 0.8])
y_all = np.digitize(s_all, edges)
x_tr, y_tr = torch.tensor(x_all[:1500]), torch.tensor(y_all[:1500])
x_te, y_te = torch.tensor(x_all[1500:]), torch.tensor(y_all[1500:])

model = CoralNet(6)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

start = time.process_time()
for epoch in range(15):
    perm = torch.randperm(len(x_tr))
    for i in range(0, len(x_tr), 64):
        idx = perm[i:i + 64]
        loss = coral_loss(model(x_tr[idx]), y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 3 == 0 or epoch == 14:
        tr = evaluate(model, x_tr, y_tr)
        te = evaluate(model, x_te, y_te)
        print(f"epoch {epoch:2d}  train loss {tr[0]:.4f} acc {tr[1]:.3f}  "
              f"test loss {te[0]:.4f} acc {te[1]:.3f} MAE {te[2]:.3f}")

tr, te = evaluate(model, x_tr, y_tr), evaluate(model, x_te, y_te)
print(f"final train loss {tr[0]:.4f} train acc {tr[1]:.3f}  test acc {te[1]:.3f}  test MAE {te[2]:.3f}")
print(f"cpu time {time.process_time() - start:.1f}s")
