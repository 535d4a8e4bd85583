"""Seeded bug: a 14-layer tanh MLP (custom module with a ModuleList) whose
init function draws weights with std 0.02 (a transformer habit): the signal
and the gradient shrink by ~4x per layer, so the first layers get gradients
orders of magnitude smaller than the last."""
# traindebug-expect: vanishing_gradients
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn


class DeepTanh(nn.Module):
    def __init__(self, d_in, width, depth, d_out):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.out = nn.Linear(width, d_out)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)  # BUG: ~1/(std*sqrt(width)) = 6x too small for tanh
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = torch.tanh(self.inp(x))
        for blk in self.blocks:
            x = torch.tanh(blk(x))
        return self.out(x)


torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
model = DeepTanh(13, 64, 14, 3)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(40):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 24):
        b = perm[i : i + 24]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[b]), y[b])
        loss.backward()
        opt.step()
    if epoch % 10 == 0:
        print(epoch, loss.item())
