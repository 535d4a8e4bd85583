"""Seeded bug: a 4-class problem trained with a single output and
BCEWithLogitsLoss on the raw class index (0..3) as target; binary targets must
lie in [0, 1]."""
# traindebug-expect: label_problem
import torch
import torch.nn.functional as F
from sklearn.datasets import make_blobs
from torch import nn

torch.manual_seed(0)
X, y = make_blobs(n_samples=1200, centers=4, n_features=6, random_state=3)
X = (X - X.mean(0)) / X.std(0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x))).squeeze(-1)


net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for epoch in range(15):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.binary_cross_entropy_with_logits(net(X[idx]), y[idx])  # BUG: targets 0..3
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
