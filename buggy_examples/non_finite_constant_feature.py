"""Seeded bug: standardising features with (x - mean) / std where one feature is
constant (std = 0) puts NaN into every input; the loss is NaN from step 0."""
# traindebug-expect: non_finite
import numpy as np
import torch
from sklearn.datasets import load_diabetes

torch.manual_seed(0)
X, y = load_diabetes(return_X_y=True)
X = np.concatenate([X, np.ones((len(X), 1))], axis=1)  # a bias column added by hand
X = (X - X.mean(0)) / X.std(0)  # BUG: the constant column becomes 0/0 = NaN
y = (y - y.mean()) / y.std()
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

model = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(200):
    idx = torch.randint(0, len(X), (64,))
    loss = torch.nn.functional.mse_loss(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        print(step, loss.item())
