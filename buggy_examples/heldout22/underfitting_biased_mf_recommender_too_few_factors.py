"""Stateful biased matrix-factorisation recommender (global-mean buffer updated
online, user/item bias embeddings, seen-item filtering in recommend()), trained with
Adam on simulated explicit ratings (300 users x 200 items, 40% observed, true rank 5,
noise std 0.3); 8 epochs x 40 batches = 320 steps.

Seeded bug: the dataclass config sets n_factors = 2, below the rank of the
user-item interaction structure (5), so the model cannot represent the ratings no
matter how long it trains; updates are healthy (Adam, lr 1e-2) but the training
loss flattens far above the noise floor. Measured: train MSE 1.30 -> 0.614
(noise variance 0.09), val RMSE 0.836. Fixed copy (n_factors = 16): train MSE
0.077, val RMSE 0.358 (noise floor 0.30).
"""
# traindebug-expect: underfitting
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


@dataclass
class RecConfig:
    n_factors: int = 2
    lr: float = 0.01
    batch_size: int = 512
    epochs: int = 8
    weight_decay: float = 0.0
    seed: int = 4


def simulate_ratings(n_users=300, n_items=200, rank=5, density=0.4, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(n_users, rank)) / np.sqrt(rank)
    Q = rng.normal(size=(n_items, rank))
    bu = rng.normal(scale=0.4, size=n_users)
    bi = rng.normal(scale=0.4, size=n_items)
    mask = rng.random((n_users, n_items)) < density
    u, i = np.nonzero(mask)
    r = 3.5 + bu[u] + bi[i] + (P[u] * Q[i]).sum(1) + rng.normal(scale=noise, size=len(u))
    perm = rng.permutation(len(u))
    return u[perm], i[perm], r[perm].astype(np.float32)


class BiasedMF(nn.Module):
    """r_hat = mu + b_u + b_i + <p_u, q_i>; mu is tracked as a running buffer."""

    def __init__(self, n_users, n_items, k):
        super().__init__()
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.P = nn.Embedding(n_users, k)
        self.Q = nn.Embedding(n_items, k)
        for emb in (self.user_bias, self.item_bias):
            nn.init.zeros_(emb.weight)
        for emb in (self.P, self.Q):
            nn.init.normal_(emb.weight, std=0.1)
        self.register_buffer("mu", torch.zeros(()))
        self.register_buffer("n_seen", torch.zeros(()))

    def observe(self, ratings):
        n = ratings.numel()
        self.mu.mul_(self.n_seen / (self.n_seen + n)).add_(ratings.sum() / (self.n_seen + n))
        self.n_seen.add_(n)

    def forward(self, u, i):
        dot = (self.P(u) * self.Q(i)).sum(-1)
        return self.mu + self.user_bias(u).squeeze(-1) + self.item_bias(i).squeeze(-1) + dot


class Recommender:
    def __init__(self, n_users, n_items, cfg):
        torch.manual_seed(cfg.seed)
        self.cfg = cfg
        self.model = BiasedMF(n_users, n_items, cfg.n_factors)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.seen = {}

    def fit(self, u, i, r, val=None):
        u, i, r = map(torch.as_tensor, (u, i, r))
        for uu, ii in zip(u.tolist(), i.tolist()):
            self.seen.setdefault(uu, set()).add(ii)
        steps = 0
        for ep in range(self.cfg.epochs):
            perm = torch.randperm(len(r))
            tot = 0.0
            for s in range(0, len(r), self.cfg.batch_size):
                b = perm[s:s + self.cfg.batch_size]
                if ep == 0:
                    self.model.observe(r[b])
                loss = nn.functional.mse_loss(self.model(u[b], i[b]), r[b])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                tot += loss.item() * len(b)
                steps += 1
            msg = f"epoch {ep} train_mse {tot / len(r):.4f}"
            if val is not None:
                msg += f" val_rmse {self.rmse(*val):.4f}"
            print(msg)
        return steps

    @torch.no_grad()
    def rmse(self, u, i, r):
        pred = self.model(torch.as_tensor(u), torch.as_tensor(i))
        return torch.sqrt(((pred - torch.as_tensor(r)) ** 2).mean()).item()

    @torch.no_grad()
    def recommend(self, user, k=5):
        scores = self.model(torch.full((self.model.Q.num_embeddings,), user), torch.arange(self.model.Q.num_embeddings))
        for it in self.seen.get(user, ()):
            scores[it] = -float("inf")
        return scores.topk(k).indices.tolist()


if __name__ == "__main__":
    cfg = RecConfig()
    u, i, r = simulate_ratings()
    n_tr = int(0.85 * len(r))
    rec = Recommender(300, 200, cfg)
    steps = rec.fit(u[:n_tr], i[:n_tr], r[:n_tr], val=(u[n_tr:], i[n_tr:], r[n_tr:]))
    print("steps", steps, "| rating std", float(r.std()), "| noise floor rmse 0.30")
    print("top-5 for user 0:", rec.recommend(0))
