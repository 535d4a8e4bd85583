"""Healthy control. Full-batch torch.optim.LBFGS (strong Wolfe line search,
max_iter=20 per .step) on a float64 MLP 6-32-1 (tanh) for sklearn make_friedman1
regression (standardised inputs and target), with a small explicit L2 term on the
weights added inside the closure. 10 outer calls = 200 L-BFGS iterations.

Patterns that might fool a naive detector: optimizer.step() is called with a closure
and does 20 inner iterations (many forward/backward passes per "step"), the closure
calls zero_grad itself, lr=1.0, the whole training set is one batch (no shuffling),
the model is float64, and the loss reported includes an L2 penalty.

Measured: objective 1.05 after the first outer step -> 0.0118 at the end; train MSE
0.0093, val MSE 0.0133 on a standardised target (noise floor ~0.011).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
torch.set_num_threads(1)

X, y = make_friedman1(n_samples=1200, n_features=6, noise=0.5, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0)
xs = StandardScaler().fit(X_tr)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr = torch.tensor(xs.transform(X_tr), dtype=torch.float64)
X_va = torch.tensor(xs.transform(X_va), dtype=torch.float64)
y_tr = torch.tensor((y_tr - y_mu) / y_sd, dtype=torch.float64).unsqueeze(1)
y_va = torch.tensor((y_va - y_mu) / y_sd, dtype=torch.float64).unsqueeze(1)

model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 1)).double()
mse = nn.MSELoss()
l2 = 1e-4

opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10,
                        line_search_fn="strong_wolfe")

def closure():
    opt.zero_grad()
    pred = model(X_tr)
    loss = mse(pred, y_tr) + l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if "weight" in n)
    loss.backward()
    return loss

for outer in range(10):
    loss = opt.step(closure)
    with torch.no_grad():
        va = mse(model(X_va), y_va).item()
    n_iter = opt.state[opt._params[0]]["n_iter"]
    if outer % 3 == 0 or outer == 9:
        print(f"outer {outer:2d}  inner iters so far {n_iter:3d}  objective {loss.item():.4f}  val mse {va:.4f}")

with torch.no_grad():
    tr = mse(model(X_tr), y_tr).item()
    va = mse(model(X_va), y_va).item()
print(f"train mse {tr:.4f}  val mse {va:.4f}  (standardised target, variance 1)")
