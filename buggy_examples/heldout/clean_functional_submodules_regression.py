"""clean: a regression model on diabetes (standardised features and target)
that owns nn.Linear sub-modules but calls them functionally (F.linear on their
weights, F.dropout with self.training); SmoothL1Loss on matching shapes, SGD
with momentum and StepLR, built from a config dict."""
# traindebug-expect: clean
import torch
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from torch import nn

config = {"width": 64, "dropout": 0.1, "lr": 0.02, "momentum": 0.9, "step": 100, "gamma": 0.5, "epochs": 20}


class FunctionalRegressor(nn.Module):
    def __init__(self, d, width, p):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(d, width), nn.Linear(width, width), nn.Linear(width, 1)
        self.p = p

    def forward(self, x):
        x = F.relu(F.linear(x, self.fc1.weight, self.fc1.bias))
        x = F.dropout(x, self.p, self.training)
        x = F.relu(F.linear(x, self.fc2.weight, self.fc2.bias))
        return F.linear(x, self.fc3.weight, self.fc3.bias).squeeze(-1)


torch.manual_seed(0)
X, y = load_diabetes(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()
Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
model = FunctionalRegressor(10, config["width"], config["dropout"])
opt = torch.optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"])
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=config["step"], gamma=config["gamma"])
model.train()
for epoch in range(config["epochs"]):
    perm = torch.randperm(len(Xt))
    for i in range(0, len(Xt), 32):
        b = perm[i : i + 32]
        opt.zero_grad()
        loss = F.smooth_l1_loss(model(Xt[b]), yt[b])
        loss.backward()
        opt.step()
        sched.step()
    if epoch % 5 == 0:
        print(epoch, loss.item())
