"""
Implicit-feedback recommender, the MLP part of Neural Collaborative Filtering: user and item
embeddings (dim 16, N(0, 0.1)) concatenated and passed through an 8-layer tower of width 64 to
one logit; BCE with 3 uniformly sampled negatives per positive, Adam lr 3e-3, batch 256
positives, 8 epochs = 304 steps; simulated clicks from a rank-4 user/item affinity (400 users,
300 items, 30 clicks each, 20 % held out). A small Trainer class with logging callbacks.
Test AUC = P(score of held-out positive > score of a random item).

Seeded bug: the tower is built as Linear + Sigmoid in every hidden layer (the original NCF
uses ReLU; the author copied the sigmoid from the output layer / an older reference). With 8
stacked sigmoids the back-propagated signal shrinks by ~0.25 * |W| per layer, so the embedding
tables and first layers get gradients orders of magnitude smaller than the last layers; the
network only learns the positive rate and never the user-item interaction. At init the
user-embedding gradient norm is 1e-9 against 0.16 for the last tower layer (ReLU tower: 3e-6
vs 0.045, and it grows as training proceeds).

Measured (seed 8, 1 thread): buggy final train BCE 0.5623 (= entropy of the 1:3 label prior),
test AUC 0.510, test BCE 0.8370. Fixed copy (ReLU in the tower): test AUC 0.742, test BCE 0.7367.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(8)

N_USERS, N_ITEMS, TRUE_RANK = 400, 300, 4


def simulate_interactions(rng, per_user=30):
    """Implicit feedback: each user clicks items with probability ~ softmax of a low-rank affinity."""
    U = rng.normal(size=(N_USERS, TRUE_RANK))
    V = rng.normal(size=(N_ITEMS, TRUE_RANK))
    aff = U @ V.T
    pos = []
    for u in range(N_USERS):
        p = np.exp(1.5 * aff[u] - (1.5 * aff[u]).max())
        items = rng.choice(N_ITEMS, size=per_user, replace=False, p=p / p.sum())
        pos.extend((u, i) for i in items)
    pos = np.array(pos)
    rng.shuffle(pos)
    n_test = len(pos) // 5
    return torch.from_numpy(pos[n_test:]), torch.from_numpy(pos[:n_test])


class NeuMLP(nn.Module):
    """MLP part of Neural Collaborative Filtering (He et al. 2017)."""

    def __init__(self, emb_dim=16, tower=(64, 64, 64, 64, 64, 64, 64, 64)):
        super().__init__()
        self.user = nn.Embedding(N_USERS, emb_dim)
        self.item = nn.Embedding(N_ITEMS, emb_dim)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        layers, d = [], 2 * emb_dim
        for width in tower:
            layers += [nn.Linear(d, width), nn.Sigmoid()]
            d = width
        self.tower = nn.Sequential(*layers)
        self.out = nn.Linear(d, 1)

    def forward(self, u, i):
        x = torch.cat([self.user(u), self.item(i)], dim=-1)
        return self.out(self.tower(x)).squeeze(-1)


class Trainer:
    def __init__(self, model, optimizer, n_neg=3, callbacks=()):
        self.model, self.opt, self.n_neg, self.callbacks = model, optimizer, n_neg, callbacks
        self.global_step = 0

    def batches(self, pos, batch_size):
        perm = torch.randperm(len(pos))
        for k in range(0, len(perm), batch_size):
            b = pos[perm[k:k + batch_size]]
            u = b[:, 0].repeat(1 + self.n_neg)
            i = torch.cat([b[:, 1], torch.randint(0, N_ITEMS, (len(b) * self.n_neg,))])
            y = torch.cat([torch.ones(len(b)), torch.zeros(len(b) * self.n_neg)])
            yield u, i, y

    def fit(self, train_pos, test_pos, epochs, batch_size):
        for epoch in range(epochs):
            self.model.train()
            for u, i, y in self.batches(train_pos, batch_size):
                loss = F.binary_cross_entropy_with_logits(self.model(u, i), y)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.global_step += 1
            metrics = {"epoch": epoch + 1, "step": self.global_step, "train_loss": loss.item(),
                       **self.evaluate(test_pos)}
            for cb in self.callbacks:
                cb(metrics)
        return metrics

    @torch.no_grad()
    def evaluate(self, test_pos):
        self.model.eval()
        g = torch.Generator().manual_seed(123)
        u = test_pos[:, 0]
        s_pos = self.model(u, test_pos[:, 1])
        s_neg = self.model(u, torch.randint(0, N_ITEMS, (len(u),), generator=g))
        auc = (s_pos > s_neg).float().mean() + 0.5 * (s_pos == s_neg).float().mean()
        y = torch.cat([torch.ones(len(u)), torch.zeros(len(u))])
        bce = F.binary_cross_entropy_with_logits(torch.cat([s_pos, s_neg]), y)
        return {"test_bce": bce.item(), "test_auc": auc.item()}


def log_every(n):
    def cb(m):
        if m["epoch"] % n == 0:
            print(" ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items()))
    return cb


rng = np.random.default_rng(0)
train_pos, test_pos = simulate_interactions(rng)
model = NeuMLP()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
final = Trainer(model, opt, callbacks=[log_every(2)]).fit(train_pos, test_pos, epochs=8, batch_size=256)
print(f"final test AUC {final['test_auc']:.3f}, test BCE {final['test_bce']:.4f}")
