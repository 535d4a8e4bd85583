"""Seeded bug: a metric-learning embedding net on the digits data trained with
TripletMarginLoss. A custom init_weights() fills every Linear weight with a
constant 0.05 ("small positive init") and the biases with 0, so all hidden
units compute the same function and get the same gradient: the network is
effectively one hidden unit wide. Final loss 0.500 vs 0.012 fixed (default init)."""
# traindebug-expect: symmetric_init
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
by_class = [torch.nonzero(y == c).squeeze(1) for c in range(10)]


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.05)
        nn.init.zeros_(m.bias)


net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 16))
net.apply(init_weights)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = nn.TripletMarginLoss(margin=0.5)


def sample(batch=64):
    a_cls = torch.randint(0, 10, (batch,))
    n_cls = (a_cls + torch.randint(1, 10, (batch,))) % 10
    pick = lambda cls: torch.stack([by_class[c][torch.randint(0, len(by_class[c]), (1,))][0] for c in cls])
    return pick(a_cls), pick(a_cls), pick(n_cls)


for step in range(250):
    a, p, n = sample()
    loss = loss_fn(F.normalize(net(X[a]), dim=1), F.normalize(net(X[p]), dim=1), F.normalize(net(X[n]), dim=1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 249:
        print(f"step {step} loss {loss.item():.4f}")
