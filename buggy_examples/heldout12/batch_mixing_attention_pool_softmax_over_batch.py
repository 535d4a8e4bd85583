"""GroupNorm CNN on 8x8 digits with hand-written shift/noise augmentation and a
learned spatial attention-pooling head.

Seeded bug (batch_mixing): AttentionPool flattens the (B, 1, H, W) score map
with .flatten() and takes softmax over dim 0, i.e. over all B*H*W positions of
the whole batch instead of per sample.  Each sample's pooled feature then
depends on every other sample in the batch (and scales like 1/B, so the
full-batch evaluation sees features ~17x smaller than training batches).
Measured after 315 AdamW steps: train loss 1.92, test acc 0.128.
Same script with .flatten(1).softmax(1) (per-sample): train loss 0.405,
test acc 0.906.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(4)
torch.set_num_threads(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=4, stratify=y)
X_tr, X_te = torch.from_numpy(X_tr).unsqueeze(1), torch.from_numpy(X_te).unsqueeze(1)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)


def augment(x):
    # random shifts by up to one pixel plus a little pixel noise
    b = x.shape[0]
    pad = F.pad(x, (1, 1, 1, 1))
    dy, dx = torch.randint(0, 3, (2,))
    x = pad[:, :, dy:dy + 8, dx:dx + 8]
    return x + 0.05 * torch.randn_like(x)


class AttentionPool(nn.Module):
    """Learned spatial attention pooling instead of plain global average pooling."""

    def __init__(self, c):
        super().__init__()
        self.score = nn.Conv2d(c, 1, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        attn = self.score(x).flatten().softmax(0).view(b, 1, h, w)
        return (x * attn).sum(dim=(2, 3))


class Net(nn.Module):
    def __init__(self, c=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1), nn.GroupNorm(4, c), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding=1), nn.GroupNorm(4, c), nn.ReLU(),
        )
        self.pool = AttentionPool(c)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        return self.fc(self.pool(self.body(x)))


model = Net()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
n, bs = X_tr.shape[0], 32
for epoch in range(8):
    model.train()
    perm = torch.randperm(n)
    run = 0.0
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(augment(X_tr[idx])), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1} train loss {run / n:.4f} test acc {acc:.3f}")
