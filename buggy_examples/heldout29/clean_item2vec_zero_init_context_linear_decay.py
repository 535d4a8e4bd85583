"""
item2vec (skip-gram with negative sampling over shopping sessions) on simulated sessions:
10 categories x 20 items, 1200 training / 200 validation sessions of 5-14 items, category
drift 15 % per click; nn.Embedding item and context tables (dim 24), 5 negatives from the
unigram^0.75 distribution, Adam lr 0.01 with word2vec's linear decay to lr * 1e-3,
DataLoader over (center, context) pairs, batch 256, 4 epochs = 604 steps; a small Trainer
class, argparse config.

Healthy control: the standard word2vec recipe.
Possible false alarm: (a) the context table is initialised to exactly zero (as in the original
word2vec), so at step 0 every score is 0 and the item table receives zero gradient on the first
step: a naive detector may report symmetric_init / no_gradient_flow; the random item table
breaks the symmetry after one step. (b) The learning rate decays linearly to 1e-5 by the end
(looks like lr_too_low late in the run). (c) Each step touches only a few embedding rows, so most
rows have zero gradient on any given step.

Measured (seed 5, 1 thread): SGNS loss 4.159 at init; final train 1.4499, validation 1.4446,
nearest-neighbour same-category accuracy 0.945 (chance 0.10).
"""
# traindebug-expect: clean
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(5)
np.random.seed(5)


def simulate_sessions(n_sessions, n_categories, items_per_cat, rng):
    """Shopping sessions: a user browses one category, occasionally jumping to a related one."""
    n_items = n_categories * items_per_cat
    popularity = rng.dirichlet(np.full(items_per_cat, 0.7), size=n_categories)
    sessions = []
    for _ in range(n_sessions):
        cat = rng.integers(n_categories)
        length = rng.integers(5, 15)
        items = []
        for _ in range(length):
            if rng.random() < 0.15:
                cat = (cat + 1) % n_categories
            items.append(cat * items_per_cat + rng.choice(items_per_cat, p=popularity[cat]))
        sessions.append(items)
    return sessions, n_items


def session_pairs(sessions, window):
    pairs = []
    for s in sessions:
        for i, c in enumerate(s):
            for j in range(max(0, i - window), min(len(s), i + window + 1)):
                if j != i:
                    pairs.append((c, s[j]))
    return torch.tensor(pairs, dtype=torch.long)


class Item2Vec(nn.Module):
    def __init__(self, n_items, dim):
        super().__init__()
        self.item = nn.Embedding(n_items, dim)
        self.context = nn.Embedding(n_items, dim)
        # word2vec initialisation: small uniform input vectors, zero output vectors
        nn.init.uniform_(self.item.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.context.weight)

    def forward(self, center, pos, neg):
        v = self.item(center)
        pos_score = (v * self.context(pos)).sum(-1)
        neg_score = torch.bmm(self.context(neg), v.unsqueeze(-1)).squeeze(-1)
        return -(F.logsigmoid(pos_score) + F.logsigmoid(-neg_score).sum(-1)).mean()


class Trainer:
    def __init__(self, model, noise_dist, args, total_steps):
        self.model, self.noise, self.args = model, noise_dist, args
        self.opt = torch.optim.Adam(model.parameters(), lr=args.lr)
        # linear decay towards lr * 1e-3 over the run, as in the original word2vec
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            self.opt, lambda s: max(1e-3, 1.0 - s / total_steps))
        self.step = 0

    def sample_negatives(self, n):
        return torch.multinomial(self.noise, n * self.args.negatives, replacement=True).view(n, -1)

    def train_epoch(self, loader):
        self.model.train()
        total, n = 0.0, 0
        for center, ctx in loader:
            loss = self.model(center, ctx, self.sample_negatives(len(center)))
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.sched.step()
            self.step += 1
            total += loss.item() * len(center)
            n += len(center)
        return total / n

    @torch.no_grad()
    def evaluate(self, pairs, n_categories, items_per_cat):
        self.model.eval()
        g = torch.Generator().manual_seed(0)
        neg = torch.multinomial(self.noise, len(pairs) * self.args.negatives, replacement=True,
                                generator=g).view(len(pairs), -1)
        held_loss = self.model(pairs[:, 0], pairs[:, 1], neg).item()
        emb = F.normalize(self.model.item.weight, dim=1)
        sim = emb @ emb.T
        sim.fill_diagonal_(-2.0)
        cat = torch.arange(len(emb)) // items_per_cat
        acc = (cat[sim.argmax(1)] == cat).float().mean().item()
        return held_loss, acc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--categories", type=int, default=10)
    p.add_argument("--items-per-cat", type=int, default=20)
    p.add_argument("--dim", type=int, default=24)
    p.add_argument("--negatives", type=int, default=5)
    p.add_argument("--window", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--epochs", type=int, default=4)
    args = p.parse_args()

    rng = np.random.default_rng(1)
    sessions, n_items = simulate_sessions(1400, args.categories, args.items_per_cat, rng)
    train_pairs = session_pairs(sessions[:1200], args.window)
    val_pairs = session_pairs(sessions[1200:], args.window)
    freq = torch.bincount(train_pairs[:, 1], minlength=n_items).float() + 1.0
    noise = freq.pow(0.75) / freq.pow(0.75).sum()

    loader = DataLoader(TensorDataset(train_pairs[:, 0], train_pairs[:, 1]),
                        batch_size=args.batch_size, shuffle=True)
    model = Item2Vec(n_items, args.dim)
    trainer = Trainer(model, noise, args, total_steps=args.epochs * len(loader))
    for epoch in range(args.epochs):
        tr = trainer.train_epoch(loader)
        va, acc = trainer.evaluate(val_pairs, args.categories, args.items_per_cat)
        print(f"epoch {epoch + 1} step {trainer.step} lr {trainer.sched.get_last_lr()[0]:.2e} "
              f"train {tr:.4f} val {va:.4f} nn_category_acc {acc:.3f}")
    print(f"final val sgns loss {va:.4f}, nearest-neighbour category accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
