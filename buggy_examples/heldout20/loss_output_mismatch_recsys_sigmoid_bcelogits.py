"""Seeded bug: the click-through recommender's forward() already returns
``torch.sigmoid(score)`` (handy for serving), and the trainer then feeds that
probability into ``nn.BCEWithLogitsLoss``, which applies a second sigmoid.
Predictions are squeezed into (0.5, 0.73), the loss has a floor far above zero
and gradients are damped.

Measured effect (buggy vs fixed copy): final train loss 0.613 vs 0.465,
test log-loss 2.20 (rising every epoch) vs 0.52,
test accuracy 0.722 vs 0.750.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
rng = np.random.default_rng(3)

N_USERS, N_ITEMS, N_GENRES, N_AGE = 300, 200, 8, 5
# latent ground truth: user taste vectors, item vectors, genre affinity by age bucket
u_true = rng.normal(size=(N_USERS, 6))
i_true = rng.normal(size=(N_ITEMS, 6))
item_genre = rng.integers(0, N_GENRES, N_ITEMS)
user_age = rng.integers(0, N_AGE, N_USERS)
age_genre = rng.normal(scale=1.5, size=(N_AGE, N_GENRES))


def sample_interactions(n):
    u = rng.integers(0, N_USERS, n)
    i = rng.integers(0, N_ITEMS, n)
    logit = (u_true[u] * i_true[i]).sum(1) * 0.6 + age_genre[user_age[u], item_genre[i]]
    click = (rng.random(n) < 1 / (1 + np.exp(-2 * logit))).astype(np.float32)
    return [torch.tensor(a) for a in (u, i, user_age[u], item_genre[i], click)]


class CTRModel(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim)
        self.item = nn.Embedding(N_ITEMS, dim)
        self.age = nn.Embedding(N_AGE, dim)
        self.genre = nn.Embedding(N_GENRES, dim)
        self.mlp = nn.Sequential(nn.Linear(4 * dim, 64), nn.ReLU(), nn.Linear(64, 1))
        for emb in (self.user, self.item, self.age, self.genre):
            nn.init.normal_(emb.weight, std=0.1)

    def forward(self, u, i, a, g):
        eu, ei = self.user(u), self.item(i)
        dot = (eu * ei).sum(-1, keepdim=True)
        side = self.mlp(torch.cat([eu, ei, self.age(a), self.genre(g)], -1))
        return torch.sigmoid(dot + side).squeeze(-1)


class Trainer:
    def __init__(self, model, lr=5e-3, batch_size=256):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.crit = nn.BCEWithLogitsLoss()
        self.bs = batch_size

    def fit(self, data, epochs):
        n = len(data[0])
        for ep in range(epochs):
            perm = torch.randperm(n)
            tot = 0.0
            for s in range(0, n, self.bs):
                idx = perm[s:s + self.bs]
                u, i, a, g, y = (t[idx] for t in data)
                loss = self.crit(self.model(u, i, a, g), y)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                tot += loss.item() * len(idx)
            yield ep, tot / n

    @torch.no_grad()
    def evaluate(self, data):
        u, i, a, g, y = data
        p = self.model(u, i, a, g).clamp(1e-6, 1 - 1e-6)
        logloss = nn.functional.binary_cross_entropy(p, y).item()
        return ((p > 0.5).float() == y).float().mean().item(), logloss


if __name__ == "__main__":
    torch.manual_seed(0)
    train, test = sample_interactions(20000), sample_interactions(4000)
    trainer = Trainer(CTRModel())
    for ep, loss in trainer.fit(train, epochs=4):
        acc, ll = trainer.evaluate(test)
        print(f"epoch {ep+1} loss {loss:.4f} test_acc {acc:.3f} test_logloss {ll:.4f}")
