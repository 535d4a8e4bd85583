"""Depthwise-separable CNN on 8x8 digits with sigmoid activations everywhere.

Seeded bug (vanishing_gradients): every depthwise and pointwise conv in the 5
separable blocks (plus the stem) is followed by a sigmoid, i.e. 11 stacked
sigmoids without any normalisation or residual path.  Each sigmoid multiplies
the backward signal by at most 0.25, so the stem receives almost nothing.
Measured: step-0 grad norm stem 1.1e-07 vs head 7.2e-01; train loss stays at
2.304 (chance, ln 10 = 2.303) and test acc 0.100 after 344 steps.
Same script with ReLU activations: stem grad 2.6e-02, final train loss 0.456,
test acc 0.900.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
X_tr = torch.from_numpy(X_tr).unsqueeze(1)
X_te = torch.from_numpy(X_te).unsqueeze(1)
y_tr = torch.from_numpy(y_tr)
y_te = torch.from_numpy(y_te)
mean, std = X_tr.mean(), X_tr.std()
X_tr = (X_tr - mean) / std
X_te = (X_te - mean) / std


class SepConv(nn.Module):
    """Depthwise 3x3 followed by pointwise 1x1 (MobileNet style)."""

    def __init__(self, cin, cout, act):
        super().__init__()
        self.dw = nn.Conv2d(cin, cin, 3, padding=1, groups=cin)
        self.pw = nn.Conv2d(cin, cout, 1)
        self.act = act

    def forward(self, x):
        return self.act(self.pw(self.act(self.dw(x))))


class DigitNet(nn.Module):
    def __init__(self, width=24, depth=5):
        super().__init__()
        self.stem = nn.Conv2d(1, width, 3, padding=1)
        self.blocks = nn.Sequential(*[SepConv(width, width, nn.Sigmoid()) for _ in range(depth)])
        self.head = nn.Linear(width, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = torch.sigmoid(self.stem(x))
        x = self.blocks(x)
        x = x.mean(dim=(2, 3))
        return self.head(x)


model = DigitNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
batch_size = 32
epochs = 8
n = X_tr.shape[0]
step = 0
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(n)
    tot, cnt = 0.0, 0
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        logits = model(X_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        tot += loss.item() * len(idx)
        cnt += len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1} steps {step} train loss {tot / cnt:.4f} test acc {acc:.3f}")
