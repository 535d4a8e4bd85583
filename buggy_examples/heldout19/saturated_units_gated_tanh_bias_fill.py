"""Seeded bug: each gated-tanh block uses one fused Linear that produces [candidate | gate]
(out = tanh(a) * sigmoid(b)). The init wants the *gate* half biased open (+3), but
``nn.init.constant_(self.fused.bias, gate_bias)`` fills the whole fused bias, so the tanh
candidate half starts at pre-activation ~3 as well: nearly every candidate unit is pinned
near +1 (tanh'(3) ~ 0.01) and the blocks emit an almost input-independent constant. Under
plain SGD they never leave the flat region.
Measured (seed 0, 300 steps): buggy final train MSE 1.069 (targets standardised, var 1),
val R2 -0.056; fixed (zero candidate bias, +3 only on the gate half) final train MSE 0.038,
val R2 0.949.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1

torch.set_num_threads(1)
torch.manual_seed(0)


class GatedTanhBlock(nn.Module):
    def __init__(self, d_in, d_out, gate_bias=3.0):
        super().__init__()
        self.d_out = d_out
        self.fused = nn.Linear(d_in, 2 * d_out)
        nn.init.xavier_uniform_(self.fused.weight)
        nn.init.constant_(self.fused.bias, gate_bias)

    def forward(self, x):
        a, b = self.fused(x).split(self.d_out, dim=-1)
        return torch.tanh(a) * torch.sigmoid(b)


class Regressor(nn.Module):
    def __init__(self, d_in, width=64, depth=3):
        super().__init__()
        dims = [d_in] + [width] * depth
        self.blocks = nn.ModuleList(GatedTanhBlock(i, o) for i, o in zip(dims[:-1], dims[1:]))
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.head(x).squeeze(-1)


X, y = make_friedman1(n_samples=2000, n_features=8, noise=0.3, random_state=0)
X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
y = ((y - y.mean()) / y.std()).astype(np.float32)
Xtr, ytr = torch.from_numpy(X[:1600]), torch.from_numpy(y[:1600])
Xva, yva = torch.from_numpy(X[1600:]), torch.from_numpy(y[1600:])

model = Regressor(8)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
crit = nn.MSELoss()

for step in range(1, 301):
    idx = torch.randint(0, len(Xtr), (64,))
    loss = crit(model(Xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 0:
        print(f"step {step}  batch mse {loss.item():.4f}")

with torch.no_grad():
    tr = crit(model(Xtr), ytr).item()
    va = crit(model(Xva), yva).item()
print(f"final train mse {tr:.4f}  val mse {va:.4f}  val R2 {1 - va / yva.var().item():.3f}")
