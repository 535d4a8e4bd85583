"""clean: diabetes regression with standardized inputs AND standardized targets,
Huber loss on matching (B, 1) shapes, AdamW, predictions mapped back to the
original units for reporting."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(0)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y_mean, y_std = y.mean(), y.std()
Y = torch.tensor((y - y_mean) / y_std, dtype=torch.float32).view(-1, 1)

model = nn.Sequential(nn.Linear(10, 64), nn.SiLU(), nn.Linear(64, 1))
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
loss_fn = nn.HuberLoss(delta=1.0)
for epoch in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = loss_fn(model(X[idx]), Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 0:
        with torch.no_grad():
            rmse = ((model(X) * y_std + y_mean - torch.tensor(y).view(-1, 1)) ** 2).mean().sqrt()
        print(epoch, f"rmse {rmse.item():.1f}")
