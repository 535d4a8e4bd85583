"""Seeded bug: the forward pass detaches the hidden features
("to save memory"), so nothing before the head receives a gradient."""
# traindebug-expect: no_gradient_flow
import torch
from sklearn.datasets import load_digits
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.classifier = nn.Linear(64, 10)

    def forward(self, x):
        h = self.features(x).detach()  # BUG: cuts the graph
        return self.classifier(h)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(5):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        loss = nn.functional.cross_entropy(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
