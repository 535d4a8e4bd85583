"""clean: a training script that ends with sys.exit(0) after saving nothing,
as command-line tools often do (Huber loss regression on diabetes)."""
# traindebug-expect: clean
import sys

import torch
from sklearn.datasets import load_diabetes
from torch import nn


def train() -> int:
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True)
    X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(10, 32), nn.SiLU(), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(20):
        for xb, yb in zip(X.split(32), y.split(32)):
            opt.zero_grad()
            loss = nn.functional.huber_loss(model(xb), yb)
            loss.backward()
            opt.step()
    print("final", loss.item())
    return 0


if __name__ == "__main__":
    sys.exit(train())
