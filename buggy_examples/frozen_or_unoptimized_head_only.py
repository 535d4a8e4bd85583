"""Seeded bug: only the classifier head is handed to the optimizer
(model.head.parameters()) although the encoder is meant to be trained too;
the encoder gets gradients every step and never changes."""
# traindebug-expect: frozen_or_unoptimized
import torch
from sklearn.datasets import make_classification
from torch import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(30, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU())
        self.head = nn.Linear(64, 4)

    def forward(self, x):
        return self.head(self.encoder(x))


torch.manual_seed(0)
X, y = make_classification(n_samples=1200, n_features=30, n_informative=12, n_classes=4, random_state=1)
ds = torch.utils.data.TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = torch.utils.data.DataLoader(ds, batch_size=40, shuffle=True)
net = Net()
opt = torch.optim.SGD(net.head.parameters(), lr=0.05, momentum=0.9)  # BUG: encoder left out
crit = nn.CrossEntropyLoss()
for epoch in range(8):
    for xb, yb in loader:
        opt.zero_grad()
        crit(net(xb), yb).backward()
        opt.step()
