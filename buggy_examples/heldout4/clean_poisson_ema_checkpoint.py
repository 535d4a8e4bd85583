"""clean: Poisson regression of daily counts with a residual MLP whose
blocks are wrapped in torch.utils.checkpoint (use_reentrant=False), the
head outputs log(rate) and nn.PoissonNLLLoss(log_input=True) is used as
intended, and an exponential moving average (decay 0.98) of the weights is
kept in a deep copy (requires_grad off) and evaluated under no_grad every
50 steps. Measured: Poisson NLL 5.43 -> 2.22 (the true rates give
2.13)."""
# traindebug-expect: clean
import copy

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

g = torch.Generator().manual_seed(0)
n, d = 5000, 10
X = torch.randn(n, d, generator=g)
log_rate = 1.5 + 0.5 * torch.sin(X[:, 0] * 2) + 0.3 * X[:, 1] * X[:, 2] - 0.4 * X[:, 3]
counts = torch.poisson(log_rate.exp(), generator=g)


class Block(nn.Module):
    def __init__(self, h):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(h), nn.Linear(h, h), nn.GELU(), nn.Linear(h, h))

    def forward(self, x):
        return x + self.net(x)


class CountModel(nn.Module):
    def __init__(self, h=64, depth=3):
        super().__init__()
        self.inp = nn.Linear(d, h)
        self.blocks = nn.ModuleList(Block(h) for _ in range(depth))
        self.out = nn.Linear(h, 1)

    def forward(self, x):
        x = self.inp(x)
        for blk in self.blocks:
            x = checkpoint(blk, x, use_reentrant=False)
        return self.out(x).squeeze(-1)


torch.manual_seed(0)
model = CountModel()
ema = copy.deepcopy(model).requires_grad_(False)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
crit = nn.PoissonNLLLoss(log_input=True, full=True)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, counts), batch_size=64, shuffle=True)
losses, step = [], 0
for epoch in range(4):
    for xb, kb in loader:
        loss = crit(model(xb), kb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.98).add_(pm, alpha=0.02)
        losses.append(loss.item())
        step += 1
        if step % 50 == 0:
            with torch.no_grad():
                print(step, "train", round(sum(losses[-50:]) / 50, 4), "ema", round(crit(ema(X), counts).item(), 4))
        if step >= 300:
            break
    if step >= 300:
        break
with torch.no_grad():
    best = crit(log_rate, counts).item()
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f} true-rate NLL {best:.4f}")
