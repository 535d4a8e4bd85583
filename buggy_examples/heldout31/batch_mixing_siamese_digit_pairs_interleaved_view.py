"""Siamese network for digit-pair verification on sklearn digits: shared MLP encoder 64->128->64->32,
Euclidean distance, contrastive loss with margin 1, AdamW 2e-3 + StepLR, fresh random 50/50 same/different
pairs each step (batch 128), 250 steps; reports held-out pair accuracy at distance threshold 0.5.

Seeded bug: both towers are run in one forward pass on torch.stack([x1, x2], dim=1).reshape(2B, -1), i.e.
rows interleaved as x1_0, x2_0, x1_1, ..., but the embeddings are split back with .view(2, B, -1) as if the
batch were [all x1; all x2]. Each "pair" distance is then computed between embeddings of images from other
pairs in the batch, so the output for pair i depends on samples i/2 and B/2 + i/2 and carries no relation to
its label.

Measured: final held-out verification accuracy 0.526 with the bug versus 0.968 for a fixed copy using
.view(B, 2, -1) and emb[:, 0] / emb[:, 1]. Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
by_class_tr = [np.flatnonzero(y_tr == c) for c in range(10)]
by_class_te = [np.flatnonzero(y_te == c) for c in range(10)]


def make_pairs(Xs, ys, by_class, n):
    i = rng.integers(0, len(Xs), n)
    same = rng.random(n) < 0.5
    j = np.empty(n, dtype=np.int64)
    for t in range(n):
        if same[t]:
            j[t] = rng.choice(by_class[ys[i[t]]])
        else:
            other = rng.choice([c for c in range(10) if c != ys[i[t]]])
            j[t] = rng.choice(by_class[other])
    return torch.from_numpy(Xs[i]), torch.from_numpy(Xs[j]), torch.from_numpy(same.astype(np.float32))


class Encoder(nn.Module):
    def __init__(self, d_in=64, d_emb=32):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                                  nn.Linear(64, d_emb))

    def forward(self, x):
        return self.body(x)


def pair_distance(net, x1, x2):
    b = x1.shape[0]
    both = torch.stack([x1, x2], dim=1).reshape(2 * b, -1)   # one forward pass for both towers
    emb = net(both).view(2, b, -1)
    return F.pairwise_distance(emb[0], emb[1])


def contrastive_loss(dist, same, margin=1.0):
    return (same * dist.pow(2) + (1 - same) * F.relu(margin - dist).pow(2)).mean()


@torch.no_grad()
def verification_accuracy(net, x1, x2, same, threshold):
    return ((pair_distance(net, x1, x2) < threshold).float() == same).float().mean().item()


net = Encoder()
opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.5)

val_pairs = make_pairs(X_te, y_te, by_class_te, 2000)
for step in range(1, 251):
    x1, x2, same = make_pairs(X_tr, y_tr, by_class_tr, 128)
    loss = contrastive_loss(pair_distance(net, x1, x2), same)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0:
        with torch.no_grad():
            vl = contrastive_loss(pair_distance(net, *val_pairs[:2]), val_pairs[2]).item()
        print(f"step {step}  train loss {loss.item():.4f}  val loss {vl:.4f}  "
              f"val acc@0.5 {verification_accuracy(net, *val_pairs, 0.5):.3f}")

final = verification_accuracy(net, *val_pairs, 0.5)
print(f"final held-out pair verification accuracy (threshold 0.5): {final:.3f}")
