"""Seeded bug: a logistic-regression model (one Linear layer) for concentric
circles; no linear boundary separates them, so the loss stays near ln 2 however
long it trains. Needs a hidden layer."""
# traindebug-expect: underfitting
import torch
from sklearn.datasets import make_circles

torch.manual_seed(0)
X, y = make_circles(n_samples=2000, noise=0.05, factor=0.5, random_state=0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


class LogReg(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)  # BUG: no hidden layer

    def forward(self, x):
        return self.linear(x).squeeze(-1)


model = LogReg()
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for epoch in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X[b]), y[b])
        loss.backward()
        opt.step()
    print(epoch, loss.item())
