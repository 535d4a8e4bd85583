"""Seeded bug: heteroscedastic regression on make_friedman1 with a
hand-written Gaussian negative log-likelihood. The network predicts a mean
and a variance; the variance head goes through ReLU instead of Softplus /
exp, so whenever a sample's variance output is <= 0 the loss term
log(var) + (y - mu)^2 / var is -inf + inf = nan, and the parameters become
NaN after the first such step. Measured: the loss is nan from the
first step on vs 0.63 -> -0.63 with Softplus."""
# traindebug-expect: non_finite
import torch
from sklearn.datasets import make_friedman1
from torch import nn

X, y = make_friedman1(n_samples=3000, noise=1.0, random_state=0)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)


class MeanVarNet(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU())
        self.mu = nn.Linear(64, 1)
        self.var = nn.Sequential(nn.Linear(64, 1), nn.ReLU())  # BUG: variance can be exactly 0

    def forward(self, x):
        h = self.body(x)
        return self.mu(h).squeeze(-1), self.var(h).squeeze(-1)


def gaussian_nll(mu, var, target):
    return 0.5 * (torch.log(var) + (target - mu) ** 2 / var).mean()


torch.manual_seed(0)
model = MeanVarNet(10)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
losses = []
for epoch in range(6):
    for xb, yb in loader:
        mu, var = model(xb)
        loss = gaussian_nll(mu, var, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(epoch, round(sum(losses[-47:]) / 47, 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
