"""Seeded bug: a sigmoid MLP on standardised breast-cancer features whose hidden
weights are drawn from N(0, 1) (nn.init.normal_ without a std), so the
pre-activations have a spread of ~5 and most sigmoid outputs sit at 0 or 1."""
# traindebug-expect: saturated_units
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch import nn


class SigmoidNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(30, 128)
        self.hidden2 = nn.Linear(128, 64)
        self.out = nn.Linear(64, 1)
        for layer in (self.hidden, self.hidden2):
            nn.init.normal_(layer.weight)  # BUG: std 1 instead of ~1/sqrt(fan_in)

    def forward(self, x):
        return self.out(torch.sigmoid(self.hidden2(torch.sigmoid(self.hidden(x))))).squeeze(-1)


torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)
model = SigmoidNet()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(16):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        b = perm[i : i + 32]
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(X[b]), y[b])
        loss.backward()
        opt.step()
    print(epoch, loss.item())
