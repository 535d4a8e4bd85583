"""
Two-tower retrieval model for implicit feedback on a synthetic catalogue
(600 users, 400 items, 8-d latent tastes; each user's positives are sampled
from a softmax over true affinities). User tower: Embedding(600, 48) -> MLP
-> 32-d; item tower: Embedding(400, 48) -> MLP -> 32-d; L2-normalised, in-batch
softmax loss with temperature 0.1. The towers get separate optimizers (user
tower Adam lr 2e-3, item tower SGD momentum 0.9 lr 0.05, as the item side is
later meant to be updated by a separate indexing job). 300 steps of batch 128.
Metric: recall@10 on held-out (user, item) positives, excluding train items.

Seeded bug: only the user optimizer is reset each step
(`user_opt.zero_grad()`); the item optimizer was added later and only put in
the stepping loop, so the item tower's .grad keeps accumulating across all
steps and its SGD updates grow with the running sum of past gradients.
Realistic when a second optimizer is bolted on.

Measured (seed 0, 1 thread): buggy final batch loss 4.78 (ln 128 = 4.85),
recall@10 0.042 (random ~0.026); fixed copy (both optimizers zeroed) batch
loss 3.61, recall@10 0.155.
"""
# traindebug-expect: missing_zero_grad
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

parser = argparse.ArgumentParser()
parser.add_argument("--users", type=int, default=600)
parser.add_argument("--items", type=int, default=400)
parser.add_argument("--steps", type=int, default=300)
parser.add_argument("--batch", type=int, default=128)
parser.add_argument("--temperature", type=float, default=0.1)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


def simulate(n_users, n_items, k=8, per_user=20):
    u = rng.normal(size=(n_users, k))
    v = rng.normal(size=(n_items, k))
    aff = u @ v.T / np.sqrt(k) * 4.0
    p = np.exp(aff - aff.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    train, test = [], []
    for uid in range(n_users):
        items = rng.choice(n_items, size=per_user, replace=False, p=p[uid])
        train += [(uid, i) for i in items[:16]]
        test += [(uid, i) for i in items[16:]]
    return np.array(train), np.array(test)


class Tower(nn.Module):
    def __init__(self, n, emb=48, out=32):
        super().__init__()
        self.emb = nn.Embedding(n, emb)
        nn.init.normal_(self.emb.weight, std=0.1)
        self.mlp = nn.Sequential(nn.Linear(emb, 64), nn.ReLU(), nn.Linear(64, out))

    def forward(self, ids):
        return F.normalize(self.mlp(self.emb(ids)), dim=-1)


train_pairs, test_pairs = simulate(args.users, args.items)
train_t = torch.from_numpy(train_pairs)
user_tower, item_tower = Tower(args.users), Tower(args.items)

user_opt = torch.optim.Adam(user_tower.parameters(), lr=5e-3)
item_opt = torch.optim.SGD(item_tower.parameters(), lr=0.3, momentum=0.9)
optimizers = [user_opt, item_opt]


def recall_at_k(k=10):
    with torch.no_grad():
        scores = user_tower(torch.arange(args.users)) @ item_tower(torch.arange(args.items)).T
        scores[train_t[:, 0], train_t[:, 1]] = -1e9
        topk = scores.topk(k, dim=1).indices.numpy()
    hits = [i in topk[u] for u, i in test_pairs]
    return float(np.mean(hits))


for step in range(1, args.steps + 1):
    idx = torch.randint(0, len(train_t), (args.batch,))
    users, items = train_t[idx, 0], train_t[idx, 1]
    logits = user_tower(users) @ item_tower(items).T / args.temperature
    labels = torch.arange(args.batch)
    loss = F.cross_entropy(logits, labels)

    user_opt.zero_grad()
    loss.backward()
    for opt in optimizers:
        opt.step()

    if step % 50 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}  recall@10 {recall_at_k():.3f}")

print(f"final recall@10: {recall_at_k():.3f}")
