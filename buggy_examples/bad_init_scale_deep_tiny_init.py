"""Seeded bug: a deep ReLU conv net initialised with std 0.01 everywhere; the
activations shrink by about 10x per layer and have vanished by the last conv."""
# traindebug-expect: bad_init_scale
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
y = torch.tensor(y)

blocks = [nn.Conv2d(1, 16, 3, padding=1), nn.ReLU()]
for _ in range(5):
    blocks += [nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()]
net = nn.Sequential(*blocks, nn.Flatten(), nn.Linear(16 * 64, 10))
for m in net.modules():
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(m.weight, std=0.01)  # BUG: far below He init (~0.1 for 3x3x16)
        nn.init.zeros_(m.bias)
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        nn.functional.cross_entropy(net(xb), yb).backward()
        opt.step()
