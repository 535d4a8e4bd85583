"""Multiple-instance learning on sklearn digits: a bag of 4-12 digit images is positive iff
it contains a 7. Instances of all bags in a batch are stacked into one (I, 64) tensor
with a bag_index vector (batches are typing.NamedTuple); gated-attention pooling with a
segment softmax (scatter_reduce / index_add) aggregates instances per bag.

Healthy control. Pattern that may fool a naive detector: the first input tensor is
indexed by instance, not by sample, so each bag's logit legitimately depends on many
rows of that tensor (all instances of its own bag) through the per-bag softmax and
index_add pooling; the batch dimension of the output (bags) differs from that of the
input (instances). Bags never influence each other.
Measured: train BCE 0.669 -> 0.030 over 250 steps, test bag accuracy 0.98,
mean attention weight on the target-digit instances 0.70 (uniform would be ~0.1-0.25).
"""
# traindebug-expect: clean
from typing import NamedTuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(4)
rng = np.random.default_rng(4)

TARGET_DIGIT = 7


class BagBatch(NamedTuple):
    instances: torch.Tensor   # (total_instances, 64) -- all bags' instances stacked
    bag_index: torch.Tensor   # (total_instances,) which bag each instance belongs to
    labels: torch.Tensor      # (n_bags,)
    n_bags: int


digits = load_digits()
X_all = (digits.data / 16.0).astype(np.float32)
y_all = digits.target
split = rng.permutation(len(X_all))
pool_tr, pool_te = split[:1300], split[1300:]


def make_bags(pool, n_bags):
    """Bag of 4-12 digit images; positive iff it contains at least one TARGET_DIGIT."""
    pos_pool = pool[y_all[pool] == TARGET_DIGIT]
    neg_pool = pool[y_all[pool] != TARGET_DIGIT]
    bags = []
    for b in range(n_bags):
        size = rng.integers(4, 13)
        members = rng.choice(neg_pool, size=size, replace=False)
        label = int(rng.random() < 0.5)
        if label:
            k = rng.integers(1, 3)
            members[:k] = rng.choice(pos_pool, size=k, replace=False)
            rng.shuffle(members)
        bags.append((members, label))
    return bags


def collate(bags):
    inst = np.concatenate([X_all[m] for m, _ in bags])
    idx = np.concatenate([np.full(len(m), i) for i, (m, _) in enumerate(bags)])
    lab = np.array([l for _, l in bags], dtype=np.float32)
    return BagBatch(torch.from_numpy(inst), torch.from_numpy(idx), torch.from_numpy(lab), len(bags))


class GatedAttentionMIL(nn.Module):
    """Ilse et al. (2018) gated-attention pooling; softmax over the instances of each bag."""

    def __init__(self, d_in=64, d=48, d_att=24):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, 96), nn.ReLU(), nn.Linear(96, d), nn.ReLU())
        self.att_v = nn.Linear(d, d_att)
        self.att_u = nn.Linear(d, d_att)
        self.att_w = nn.Linear(d_att, 1)
        self.classifier = nn.Linear(d, 1)

    def forward(self, batch: BagBatch):
        h = self.encoder(batch.instances)                                     # (I, d)
        score = self.att_w(torch.tanh(self.att_v(h)) * torch.sigmoid(self.att_u(h))).squeeze(1)
        # segment softmax: subtract the per-bag max, exponentiate, normalise per bag
        bag_max = torch.full((batch.n_bags,), -1e9).scatter_reduce(0, batch.bag_index, score, "amax")
        e = torch.exp(score - bag_max[batch.bag_index])
        denom = torch.zeros(batch.n_bags).index_add(0, batch.bag_index, e)
        alpha = e / denom[batch.bag_index]
        pooled = torch.zeros(batch.n_bags, h.shape[1]).index_add(0, batch.bag_index, alpha[:, None] * h)
        return self.classifier(pooled).squeeze(1), alpha


train_bags = make_bags(pool_tr, 1200)
test_bags = make_bags(pool_te, 300)
test_batch = collate(test_bags)

model = GatedAttentionMIL()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
bags_per_batch, step = 24, 0
for epoch in range(5):
    order = rng.permutation(len(train_bags))
    total = 0.0
    for i in range(0, len(order), bags_per_batch):
        batch = collate([train_bags[j] for j in order[i:i + bags_per_batch]])
        logits, _ = model(batch)
        loss = F.binary_cross_entropy_with_logits(logits, batch.labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * batch.n_bags
        step += 1
    with torch.no_grad():
        logits, alpha = model(test_batch)
        acc = ((logits > 0).float() == test_batch.labels).float().mean().item()
        is_target = torch.from_numpy(y_all[np.concatenate([m for m, _ in test_bags])] == TARGET_DIGIT)
        att_on_target = alpha[is_target].mean().item()
    print(f"epoch {epoch}  train_bce {total / len(train_bags):.4f}  test_bag_acc {acc:.3f}  "
          f"mean attention on target instances {att_on_target:.2f}")
print("steps:", step)
