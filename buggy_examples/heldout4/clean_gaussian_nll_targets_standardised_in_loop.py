"""clean: heteroscedastic regression of apartment prices (raw targets in
dollars, ~1e5-6e5) with nn.GaussianNLLLoss. The dataset keeps the raw
prices; the training loop standardises each target batch with the
training-set mean and std right before the loss (yb = (yb - mu) / sd), and
the variance head uses Softplus + 1e-4. The NLL can go negative. Measured: 0.54 -> -0.92."""
# traindebug-expect: clean
import torch
from torch import nn

g = torch.Generator().manual_seed(0)
n = 4000
area = torch.rand(n, generator=g) * 100 + 30            # m^2
rooms = torch.randint(1, 6, (n,), generator=g).float()
dist = torch.rand(n, generator=g) * 20                  # km to centre
floor = torch.randint(0, 15, (n,), generator=g).float()
noise_sd = 8000 + 1500 * dist                           # prices are noisier far out
price = 50000 + 3000 * area + 10000 * rooms - 6000 * dist + 1500 * floor + noise_sd * torch.randn(n, generator=g)
feats = torch.stack([area, rooms, dist, floor], 1)
feats = (feats - feats.mean(0)) / feats.std(0)
y_mean, y_std = price.mean(), price.std()


class MeanVar(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.mean = nn.Linear(64, 1)
        self.var = nn.Sequential(nn.Linear(64, 1), nn.Softplus())

    def forward(self, x):
        h = self.body(x)
        return self.mean(h).squeeze(-1), self.var(h).squeeze(-1) + 1e-4


torch.manual_seed(0)
model = MeanVar()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
crit = nn.GaussianNLLLoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(feats, price), batch_size=64, shuffle=True)
losses = []
for epoch in range(4):
    for xb, yb in loader:
        yb = (yb - y_mean) / y_std
        mu, var = model(xb)
        loss = crit(mu, yb, var)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(epoch, round(sum(losses[-63:]) / 63, 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
