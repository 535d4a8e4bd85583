"""Seeded bug: regression on the diabetes data with standardized inputs but the
raw disease-progression targets (mean ~150, std ~77) and plain SGD: the
network's output layer must grow by two orders of magnitude."""
# traindebug-expect: input_scale
import torch
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)  # BUG: targets left in raw units

model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=1e-4)
loss_fn = nn.MSELoss()
for epoch in range(40):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = loss_fn(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 0:
        print(epoch, loss.item())
