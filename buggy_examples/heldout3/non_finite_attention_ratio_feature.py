"""Seeded bug: a multi-head-attention model over sets of sensor readings
(nn.MultiheadAttention, then mean pooling). One engineered feature is the ratio
current / voltage; the voltage column is exactly 0 for switched-off sensors
(~3% of readings), so the ratio is inf there and the loss is NaN from the first
batch on. Final loss nan vs 0.143 fixed (ratio with a clamp)."""
# traindebug-expect: non_finite
import torch
from torch import nn

torch.manual_seed(0)
n, set_size = 2000, 10
voltage = torch.rand(n, set_size) * 10 + 1
voltage[torch.rand(n, set_size) < 0.03] = 0.0
current = torch.rand(n, set_size) * 2
temp = torch.randn(n, set_size)
labels = ((current * temp).sum(1) > 0).long()
ratio = current / voltage
features = torch.stack([voltage / 10, current, temp, ratio], dim=-1)


class SetAttention(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.inp = nn.Linear(4, d)
        self.attn = nn.MultiheadAttention(d, num_heads=4, batch_first=True)
        self.out = nn.Linear(d, 2)

    def forward(self, x):
        h = self.inp(x)
        h = h + self.attn(h, h, h, need_weights=False)[0]
        return self.out(h.mean(dim=1))


model = SetAttention()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(200):
    idx = torch.randint(0, n, (64,))
    loss = nn.functional.cross_entropy(model(features[idx]), labels[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 199:
        print(f"step {step} loss {loss.item():.4f}")
