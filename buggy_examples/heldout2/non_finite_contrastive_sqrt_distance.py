"""Seeded bug: a siamese network trained with the classic contrastive loss
(Hadsell et al. 2006) where the Euclidean distance is computed as
torch.sqrt(((a - b) ** 2).sum(1)) without an epsilon. Positive pairs are
drawn with replacement, so now and then a sample is paired with itself: the
distance is exactly 0, the gradient of sqrt at 0 is infinite and the
backward pass produces NaN gradients that the optimizer writes into the
weights; the loss is NaN from then on."""
# traindebug-expect: non_finite
import torch
from sklearn.datasets import load_digits
from torch import nn


def contrastive_loss(a, b, same, margin=2.0):
    dist = torch.sqrt(((a - b) ** 2).sum(1))  # BUG: no eps inside the sqrt
    return (same * dist.pow(2) + (1 - same) * torch.clamp(margin - dist, min=0).pow(2)).mean()


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / (X.std(0) + 1e-6), dtype=torch.float32)
y = torch.tensor(y)
by_class = [torch.nonzero(y == c).flatten() for c in range(10)]
net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 16))
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
for step in range(300):
    a = torch.randint(0, len(X), (64,))
    same = (torch.rand(64) < 0.5).float()
    b = torch.randint(0, len(X), (64,))
    for i in torch.nonzero(same).flatten().tolist():
        pool = by_class[int(y[a[i]])]
        b[i] = pool[torch.randint(0, len(pool), (1,))]  # may pick a[i] itself
    loss = contrastive_loss(net(X[a]), net(X[b]), same)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        print(step, loss.item())
