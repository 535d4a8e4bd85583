"""Seeded bug: the tanh hidden layers are initialised with N(0, 1) weights
(instead of Xavier, std ~ 1/sqrt(fan_in)); with 64 standardised inputs the
pre-activations have std ~8, most tanh outputs sit at +-1 and their gradient
is ~0."""
# traindebug-expect: saturated_units
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn


class TanhNet(nn.Module):
    def __init__(self, sizes=(64, 128, 128, 10)) -> None:
        super().__init__()
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-2], sizes[1:-1]))
        self.act = nn.Tanh()
        self.out = nn.Linear(sizes[-2], sizes[-1])
        for layer in self.hidden:
            nn.init.normal_(layer.weight, 0.0, 1.0)  # BUG: std 1 instead of Xavier

    def forward(self, x):
        for layer in self.hidden:
            x = self.act(layer(x))
        return self.out(x)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
model = TanhNet()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 50):
        b = perm[i : i + 50]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[b]), y[b])
        loss.backward()
        opt.step()
    print(epoch, loss.item())
