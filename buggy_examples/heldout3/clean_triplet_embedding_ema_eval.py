"""clean: a metric-learning embedding net on the digits data trained with
TripletMarginLoss (anchor/positive same class, negative another class), Adam,
and an exponential moving average of the weights (decay 0.99) kept in a
separate copy that is used only for the printed nearest-centroid accuracy.
Final loss 0.012 (EMA accuracy 0.979) (measured once, plain python)."""
# traindebug-expect: clean
import copy

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
by_class = [torch.nonzero(y == c).squeeze(1) for c in range(10)]

net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 16))
ema = copy.deepcopy(net).requires_grad_(False)
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
    with torch.no_grad():
        for pe, pn in zip(ema.parameters(), net.parameters()):
            pe.mul_(0.99).add_(pn, alpha=0.01)
    if step % 50 == 0 or step == 249:
        with torch.no_grad():
            emb = F.normalize(ema(X), dim=1)
            centroids = torch.stack([emb[by_class[c]].mean(0) for c in range(10)])
            acc = ((emb @ centroids.T).argmax(1) == y).float().mean()
        print(f"step {step} loss {loss.item():.4f} ema acc {acc:.3f}")
