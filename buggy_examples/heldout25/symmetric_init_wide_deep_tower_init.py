"""Wide-and-deep click model on generated user/item interactions (per-id bias
"wide" part plus embeddings + MLP "deep" tower), Adagrad, BCE-with-logits.
376 steps.

Seeded bug: init_tower() fills every Linear weight of the deep tower with the
constant tower_init_std (nn.init.constant_ where normal_(std=...) was meant).
All hidden units of a layer compute the same value and get the same gradient, so
the tower stays effectively one unit wide, and the embeddings only get gradients
along the all-ones direction. The user x item interaction (the main signal) is
never learned; only the wide part trains.

Measured: test AUC 0.628 / test logloss 0.668 at the end (train logloss stuck at
0.660). With normal_(std=0.05): test AUC 0.752, test logloss 0.596, train logloss
0.599.
"""
# traindebug-expect: symmetric_init
from dataclasses import dataclass, field
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score

torch.set_num_threads(1)


@dataclass
class Config:
    n_users: int = 120
    n_items: int = 80
    n_interactions: int = 30000
    n_dense: int = 4
    emb_dim: int = 16
    tower: tuple = (64, 32)
    tower_init_std: float = 0.05
    batch_size: int = 256
    epochs: int = 4
    lr: float = 0.2
    seed: int = 7
    extra: dict = field(default_factory=dict)


def make_interactions(cfg: Config):
    rng = np.random.default_rng(cfg.seed)
    k = 4
    U = rng.normal(0, 1, (cfg.n_users, k))
    V = rng.normal(0, 1, (cfg.n_items, k))
    ub = rng.normal(0, 0.5, cfg.n_users)
    ib = rng.normal(0, 0.5, cfg.n_items)
    users = rng.integers(0, cfg.n_users, cfg.n_interactions)
    items = rng.integers(0, cfg.n_items, cfg.n_interactions)
    dense = rng.normal(0, 1, (cfg.n_interactions, cfg.n_dense))
    score = (U[users] * V[items]).sum(1) / np.sqrt(k) * 2.5 + ub[users] + ib[items] \
        + 0.4 * dense[:, 0] - 0.3 * dense[:, 1] * dense[:, 2]
    p = 1.0 / (1.0 + np.exp(-score))
    clicks = (rng.random(cfg.n_interactions) < p).astype(np.float32)
    return (torch.from_numpy(users), torch.from_numpy(items),
            torch.from_numpy(dense.astype(np.float32)), torch.from_numpy(clicks))


def init_tower(module: nn.Module, std: float):
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, std)
            nn.init.zeros_(m.bias)


class WideAndDeep(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        # wide: memorisation of per-id effects + linear dense features
        self.user_bias = nn.Embedding(cfg.n_users, 1)
        self.item_bias = nn.Embedding(cfg.n_items, 1)
        self.wide_dense = nn.Linear(cfg.n_dense, 1)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)
        # deep: generalisation through dense embeddings
        self.user_emb = nn.Embedding(cfg.n_users, cfg.emb_dim)
        self.item_emb = nn.Embedding(cfg.n_items, cfg.emb_dim)
        nn.init.normal_(self.user_emb.weight, std=0.1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        layers, d = [], 2 * cfg.emb_dim + cfg.n_dense
        for h in cfg.tower:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, 1))
        self.tower = nn.Sequential(*layers)
        init_tower(self.tower, cfg.tower_init_std)

    def forward(self, u, i, dense):
        wide = self.user_bias(u) + self.item_bias(i) + self.wide_dense(dense)
        deep_in = torch.cat([self.user_emb(u), self.item_emb(i), dense], dim=1)
        return (wide + self.tower(deep_in)).squeeze(1)


def evaluate(model, u, i, d, y):
    model.eval()
    with torch.no_grad():
        logits = model(u, i, d)
        loss = nn.functional.binary_cross_entropy_with_logits(logits, y).item()
        auc = roc_auc_score(y.numpy(), logits.numpy())
    model.train()
    return loss, auc


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    users, items, dense, clicks = make_interactions(cfg)
    n_train = int(0.8 * len(clicks))
    tr = slice(0, n_train)
    te = slice(n_train, None)

    model = WideAndDeep(cfg)
    opt = torch.optim.Adagrad(model.parameters(), lr=cfg.lr)
    loss_fn = nn.BCEWithLogitsLoss()

    t0 = time.time()
    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(n_train)
        tot, nb = 0.0, 0
        for s in range(0, n_train, cfg.batch_size):
            idx = perm[s:s + cfg.batch_size]
            logits = model(users[idx], items[idx], dense[idx])
            loss = loss_fn(logits, clicks[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
            nb += 1
            step += 1
        te_loss, te_auc = evaluate(model, users[te], items[te], dense[te], clicks[te])
        print(f"epoch {epoch} steps {step} train logloss {tot / nb:.4f} "
              f"test logloss {te_loss:.4f} test AUC {te_auc:.4f}")
    print(f"finished in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
