"""
Mixture-of-experts regressor on a synthetic piecewise-smooth surface
(5-d inputs; the target follows a different nonlinear law in each of four
regions of input space). Experts are stored as batched weight tensors
(E=4 experts, 5 -> 64 -> 1 each, applied with einsum); a softmax gate
Linear(5, 4) mixes them. AdamW lr 3e-2 with the usual "decay matrices, not
biases" parameter groups, cosine schedule, batch 64, 6 epochs (~280 steps).

Seeded bug: the parameter groups are built by tensor rank, `p.ndim == 2`
for the decayed group and `p.ndim == 1` for the non-decayed group, a rule
written when the model was an MLP. The batched expert weights are 3-d
(E, in, out) and fall into neither group: they receive gradients every step
but are never handed to the optimizer, so the experts' weights stay at
their random initialisation and only the gate, the expert biases and the
output scale are trained (the 2-d hidden biases (E, hidden) do land in the
decayed group).

Measured (seed 0, 1 thread): buggy final train MSE 0.279, test MSE 0.314;
fixed copy (`p.ndim >= 2` / `p.ndim < 2`) train MSE 0.129, test MSE 0.152
(targets standardised, variance 1).
"""
# traindebug-expect: frozen_or_unoptimized
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)


def make_data(n):
    x = torch.rand(n, 5) * 2 - 1
    region = (x[:, 0] > 0).long() * 2 + (x[:, 1] > 0).long()
    laws = torch.stack([
        torch.sin(3 * x[:, 2]) + x[:, 3] ** 2,
        x[:, 2] * x[:, 3] * 2 - x[:, 4],
        torch.cos(2 * x[:, 4]) + x[:, 2],
        (x[:, 3] - x[:, 4]).abs() * 2 - 1,
    ], 1)
    y = laws.gather(1, region[:, None]).squeeze(1) + 0.05 * torch.randn(n)
    return x, y


class BatchedExperts(nn.Module):
    def __init__(self, n_experts, d_in, hidden):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(n_experts, d_in, hidden) / math.sqrt(d_in))
        self.b1 = nn.Parameter(torch.zeros(n_experts, hidden))
        self.w2 = nn.Parameter(torch.randn(n_experts, hidden, 1) / math.sqrt(hidden))
        self.b2 = nn.Parameter(torch.zeros(n_experts, 1))

    def forward(self, x):
        h = F.gelu(torch.einsum("bi,eih->beh", x, self.w1) + self.b1)
        return (torch.einsum("beh,eho->beo", h, self.w2) + self.b2).squeeze(-1)


class MoERegressor(nn.Module):
    def __init__(self, d_in=5, n_experts=4, hidden=64):
        super().__init__()
        self.gate = nn.Sequential(nn.Linear(d_in, 32), nn.ReLU(), nn.Linear(32, n_experts))
        self.experts = BatchedExperts(n_experts, d_in, hidden)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        weights = F.softmax(self.gate(x), dim=-1)
        return self.scale * (weights * self.experts(x)).sum(-1)


x_tr, y_tr = make_data(3000)
x_te, y_te = make_data(1000)
mu, sd = y_tr.mean(), y_tr.std()
y_tr, y_te = (y_tr - mu) / sd, (y_te - mu) / sd
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)

model = MoERegressor()
decay = [p for p in model.parameters() if p.ndim == 2]
no_decay = [p for p in model.parameters() if p.ndim == 1]
optimizer = torch.optim.AdamW([
    {"params": decay, "weight_decay": 1e-2},
    {"params": no_decay, "weight_decay": 0.0},
], lr=3e-2)
epochs = 6
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(loader))

for epoch in range(epochs):
    model.train()
    se, n = 0.0, 0
    for xb, yb in loader:
        loss = F.mse_loss(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        se += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    with torch.no_grad():
        test_mse = F.mse_loss(model(x_te), y_te).item()
    print(f"epoch {epoch}  train mse {se / n:.4f}  test mse {test_mse:.4f}  lr {scheduler.get_last_lr()[0]:.2e}")

print(f"final test MSE {test_mse:.4f}")
