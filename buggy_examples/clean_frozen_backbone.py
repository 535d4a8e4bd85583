"""clean: fine-tuning a new head on a frozen "pretrained" backbone
(requires_grad=False, backbone in eval mode, only the head in the optimizer)."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
y = torch.tensor(y)

backbone = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
)
# "pretraining": a few epochs on digits 0-4
head0 = nn.Linear(32, 5)
pre_opt = torch.optim.Adam(list(backbone.parameters()) + list(head0.parameters()), lr=3e-3)
mask = y < 5
for epoch in range(4):
    for xb, yb in zip(X[mask].split(64), y[mask].split(64)):
        pre_opt.zero_grad()
        nn.functional.cross_entropy(head0(backbone(xb)), yb).backward()
        pre_opt.step()

# fine-tuning: freeze the backbone, train a new 10-way head
for p in backbone.parameters():
    p.requires_grad = False
backbone.eval()
head = nn.Linear(32, 10)
opt = torch.optim.Adam(head.parameters(), lr=1e-2)
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        with torch.no_grad():
            feats = backbone(X[b])
        loss = nn.functional.cross_entropy(head(feats), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
