"""Siamese embedding net trained with a contrastive (margin) loss on load_digits pairs,
evaluated by 1-NN accuracy in embedding space.

Seeded bug: reset_parameters() uses nn.init.constant_(weight, 0.05) for both layers, so
all 64 hidden units (and all 16 embedding dims) are identical and stay identical under
Adam; the embedding is effectively 1-dimensional.

Measured (300 steps): buggy loss 0.154, 1-NN acc 0.343; fixed
(nn.init.normal_(weight, std=0.05)) loss 0.055, 1-NN acc 0.914.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(2)
rng = np.random.default_rng(2)

digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]


def sample_pairs(labels, n):
    labels = labels.numpy()
    by_cls = [np.flatnonzero(labels == c) for c in range(10)]
    a = rng.integers(0, len(labels), n)
    same = rng.random(n) < 0.5
    b = np.empty(n, dtype=int)
    for k in range(n):
        c = labels[a[k]]
        if same[k]:
            b[k] = rng.choice(by_cls[c])
        else:
            b[k] = rng.choice(by_cls[(c + rng.integers(1, 10)) % 10])
    return torch.tensor(a), torch.tensor(b), torch.tensor(same, dtype=torch.float32)


class Embedder(nn.Module):
    def __init__(self, d_in=64, d_hid=64, d_emb=16):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hid)
        self.fc2 = nn.Linear(d_hid, d_emb)
        self.reset_parameters()

    def reset_parameters(self):
        # small, well-behaved starting point for the contrastive objective
        for m in (self.fc1, self.fc2):
            nn.init.constant_(m.weight, 0.05)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def contrastive_loss(za, zb, same, margin=1.0):
    d = F.pairwise_distance(za, zb)
    return (same * d.pow(2) + (1 - same) * F.relu(margin - d).pow(2)).mean()


@torch.no_grad()
def knn_accuracy(net):
    etr, ete = net(Xtr), net(Xte)
    nn_idx = torch.cdist(ete, etr).argmin(1)
    return (ytr[nn_idx] == yte).float().mean().item()


net = Embedder()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(1, 301):
    a, b, same = sample_pairs(ytr, 128)
    loss = contrastive_loss(net(Xtr[a]), net(Xtr[b]), same)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 60 == 0:
        print(f"step {step:3d} loss {loss.item():.4f} 1-NN acc {knn_accuracy(net):.3f}")
