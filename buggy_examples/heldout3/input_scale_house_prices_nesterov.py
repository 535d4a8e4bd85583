"""Seeded bug: regression of a house-price-like target with an MLP and SGD
(Nesterov, momentum 0.9). The inputs (area in m^2, rooms, age in years, distance
in km, lot size in m^2 ~1e3) go in raw; the target is standardised. The lot
column's scale forces a tiny learning rate to avoid divergence, and the small
columns barely move. Final loss 1.005 vs 0.069 fixed (inputs standardised)."""
# traindebug-expect: input_scale
import torch
from torch import nn

torch.manual_seed(0)
n = 3000
area = torch.rand(n) * 150 + 40
rooms = torch.randint(1, 7, (n,)).float()
age = torch.rand(n) * 80
dist = torch.rand(n) * 30
lot = area * 6 + torch.rand(n) * 2000
price = 1500 * area + 8000 * rooms - 600 * age - 2000 * dist + 300 * torch.sqrt(area) * rooms + 20000 * torch.randn(n)
X = torch.stack([area, rooms, age, dist, lot], dim=1)
y_mean, y_std = price.mean(), price.std()

model = nn.Sequential(nn.Linear(5, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=1e-7, momentum=0.9, nesterov=True)
for step in range(250):
    idx = torch.randint(0, n, (128,))
    target = (price[idx] - y_mean) / y_std
    loss = nn.functional.mse_loss(model(X[idx]).squeeze(-1), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 249:
        print(f"step {step} loss {loss.item():.4f}")
