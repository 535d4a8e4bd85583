"""Healthy control: siamese CNN on 8x8 digits with a margin-based contrastive loss
(margin 2.0), SGD with momentum, linear warm-up then cosine decay. The embedding is
evaluated with 1-NN on held-out digits.

Patterns that could fool a naive detector: the projection layer is initialised very
small, so all pairs start with distance ~0 and the loss sits at the plateau value
0.5 * 0.5 * margin^2 = 1.0 for the first ~40 steps (during warm-up) before it drops.
The loss also floors well above zero (hinge on negatives, noisy pair sampling).

Measured (300 steps): windowed loss 0.992 (steps 1-20), 0.888 (21-40), 0.452 (41-60),
0.281 (61-80), 0.175 (281-300). 1-NN accuracy on the embeddings 0.889.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

torch.set_num_threads(1)
torch.manual_seed(4)
rng = np.random.default_rng(4)

d = load_digits()
X = (d.images / 16.0).astype(np.float32)[:, None]     # (N, 1, 8, 8)
y = d.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=4)
by_class = {c: np.where(y_tr == c)[0] for c in range(10)}


def sample_pairs(batch_size):
    """Half positive pairs (same digit), half negative pairs (different digits)."""
    a = rng.integers(0, len(y_tr), batch_size)
    same = np.arange(batch_size) < batch_size // 2
    cls_b = np.where(same, y_tr[a], (y_tr[a] + rng.integers(1, 10, batch_size)) % 10)
    b = np.array([rng.choice(by_class[c]) for c in cls_b])
    return (torch.from_numpy(X_tr[a]), torch.from_numpy(X_tr[b]),
            torch.from_numpy(same.astype(np.float32)))


class EmbeddingNet(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.Tanh(),
            nn.Conv2d(8, 16, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2))
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(16 * 16, 64), nn.Tanh(), nn.Linear(64, dim))
        # small init of the projection: all pairs start well inside the margin
        nn.init.normal_(self.fc[-1].weight, std=1e-3)
        nn.init.zeros_(self.fc[-1].bias)

    def forward(self, x):
        return self.fc(self.conv(x))


class SiameseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = EmbeddingNet()

    def forward(self, a, b):
        return self.embed(a), self.embed(b)


def contrastive_loss(za, zb, same, margin=2.0):
    dist = F.pairwise_distance(za, zb)
    pos = same * dist.pow(2)
    neg = (1 - same) * F.relu(margin - dist).pow(2)
    return 0.5 * (pos + neg).mean()


model = SiameseNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
STEPS = 300
WARMUP = 40
scheduler = torch.optim.lr_scheduler.SequentialLR(
    optimizer,
    [torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=WARMUP),
     torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS - WARMUP)],
    milestones=[WARMUP])

window = []
for step in range(1, STEPS + 1):
    model.train()
    a, b, same = sample_pairs(64)
    za, zb = model(a, b)
    loss = contrastive_loss(za, zb, same)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    window.append(loss.item())
    if step % 20 == 0:
        print(f"step {step:4d}  contrastive_loss {np.mean(window):.4f}")
        window = []

# evaluate the embedding with a 1-NN classifier on held-out digits
model.eval()
with torch.no_grad():
    e_tr = model.embed(torch.from_numpy(X_tr)).numpy()
    e_te = model.embed(torch.from_numpy(X_te)).numpy()
knn = KNeighborsClassifier(n_neighbors=1).fit(e_tr, y_tr)
print(f"1-NN accuracy on embeddings: {knn.score(e_te, y_te):.3f}")
