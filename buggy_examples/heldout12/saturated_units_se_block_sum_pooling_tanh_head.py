"""Small conv net with a squeeze-and-excitation block on 8x8 digits, tanh MLP head.

Seeded bug (saturated_units): the global pooling before the tanh head uses
x.sum(dim=(2, 3)) instead of a mean, so pooled features are 64x larger than
intended and the pre-activations of the tanh layer sit deep in its flat region.
Measured after training: 98.6% of tanh pre-activations have |z| > 3 on the test
set; train loss 1.13 and test acc 0.358 after 264 SGD steps (accuracy swings
between 0.17 and 0.38 across epochs).  Same script with x.mean(dim=(2, 3)):
0.02% of pre-activations above 3, train loss 0.223, test acc 0.969.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(1)
torch.set_num_threads(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
X_tr, X_te = torch.from_numpy(X_tr).unsqueeze(1), torch.from_numpy(X_te).unsqueeze(1)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)


class SEBlock(nn.Module):
    def __init__(self, c, r=4):
        super().__init__()
        self.fc1 = nn.Linear(c, c // r)
        self.fc2 = nn.Linear(c // r, c)

    def forward(self, x):
        s = x.mean(dim=(2, 3))
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s[:, :, None, None]


class SENet(nn.Module):
    def __init__(self, c=32):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c)
        self.se = SEBlock(c)
        self.fc = nn.Linear(c, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.se(x)
        x = x.sum(dim=(2, 3))
        x = torch.tanh(self.fc(x))
        return self.out(x)


model = SENet()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
n = X_tr.shape[0]
bs = 64
for epoch in range(12):
    model.train()
    perm = torch.randperm(n)
    run = 0.0
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1:2d} train loss {run / n:.4f} test acc {acc:.3f}")
