"""
Prototypical network (Snell et al. 2017) on the 8x8 digits: conv encoder (2 conv+BN+ReLU,
max-pool, linear to 64-d), 5-way 5-shot episodes with 25 query images drawn from the pooled
query examples of the episode's classes, logits = -squared Euclidean distance to class prototypes.
Adam lr 1e-3, StepLR, 200 training episodes, argparse config; evaluated on 100 episodes from a
held-out split.

Seeded bug: prototypes are stacked in the order of the randomly sampled `classes` array, but the
query labels are remapped with a dict built from np.unique(...), which returns the classes
*sorted*. Unless the random draw happens to be sorted, the query labels are a random permutation
of the prototype indices, different in every episode, so the labels carry no usable signal.
Realistic: np.unique is the usual idiom for "relabel to 0..N-1" and its sorting is easy to forget.

Measured (seed 0, 1 thread): buggy final train-episode accuracy ~0.24, test episodes loss 1.641
accuracy 0.210 (chance 0.20); fixed copy (remap by enumerate(classes)) test episodes loss 0.049
accuracy 0.986. Runtime ~11 s CPU.
"""
# traindebug-expect: label_problem
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser(description="Prototypical networks on 8x8 digits")
parser.add_argument("--n-way", type=int, default=5)
parser.add_argument("--k-shot", type=int, default=5)
parser.add_argument("--n-query", type=int, default=25)
parser.add_argument("--episodes", type=int, default=200)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]   # (N, 1, 8, 8)
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=args.seed, stratify=y)


def sample_episode(X, y, rng):
    classes = rng.choice(10, args.n_way, replace=False)
    support_idx, query_pool = [], []
    for c in classes:
        idx = rng.permutation(np.flatnonzero(y == c))
        support_idx.append(idx[:args.k_shot])
        query_pool.append(idx[args.k_shot:])
    support_idx = np.concatenate(support_idx)
    query_idx = rng.choice(np.concatenate(query_pool), args.n_query, replace=False)
    remap = {c: i for i, c in enumerate(np.unique(y[support_idx]))}
    query_labels = np.array([remap[c] for c in y[query_idx]])
    return (torch.from_numpy(X[support_idx]), torch.from_numpy(X[query_idx]),
            torch.from_numpy(query_labels))


class ConvEncoder(nn.Module):
    def __init__(self, width=16, dim=64):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(width)
        self.fc = nn.Linear(width * 4 * 4, dim)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(x.flatten(1))


def episode_loss(encoder, support, query, labels):
    z_s = encoder(support).view(args.n_way, args.k_shot, -1)
    prototypes = z_s.mean(dim=1)
    z_q = encoder(query)
    logits = -torch.cdist(z_q, prototypes).pow(2)
    loss = F.cross_entropy(logits, labels)
    acc = (logits.argmax(1) == labels).float().mean()
    return loss, acc


encoder = ConvEncoder()
optimizer = torch.optim.Adam(encoder.parameters(), lr=args.lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)

for episode in range(1, args.episodes + 1):
    encoder.train()
    support, query, labels = sample_episode(X_tr, y_tr, rng)
    loss, acc = episode_loss(encoder, support, query, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if episode % 50 == 0:
        print(f"episode {episode:4d} loss {loss.item():.4f} acc {acc.item():.3f}")

encoder.eval()
test_losses, test_accs = [], []
with torch.no_grad():
    for _ in range(100):
        support, query, labels = sample_episode(X_te, y_te, rng)
        loss, acc = episode_loss(encoder, support, query, labels)
        test_losses.append(loss.item())
        test_accs.append(acc.item())
print(f"final: test episodes loss {np.mean(test_losses):.4f} acc {np.mean(test_accs):.4f}")
