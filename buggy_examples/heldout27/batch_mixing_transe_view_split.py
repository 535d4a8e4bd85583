"""
Seeded bug: TransE.forward() looks up heads and tails with a single embedding
call, giving a (B, 2, D) tensor, and then splits it with ht.view(2, -1, D)
instead of ht.unbind(1) / ht.transpose(0, 1). The view reinterprets memory, so
the "heads" are h0, t0, h1, t1, ... of the first half of the batch and the
"tails" come from the second half: every score mixes entities from different
triples of the mini-batch. Evaluation (rank_tails) indexes the embedding table
directly and is correct, so it honestly reports that nothing was learned.
Measured (seed 0, 260 Adam steps): training loss stays at ~1.00 (= margin) and
tail-prediction MRR 0.013 / Hits@10 0.015 / mean rank 155 of 300 (buggy) vs
loss 0.26, MRR 0.260 / Hits@10 0.675 / mean rank 16 with ht.unbind(1).
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_ENT, N_REL, DIM = 300, 6, 32


def generate_kg(n_per_rel=300, latent=8):
    """Entities are random unit vectors; each relation is a hidden translation and
    the tail is the entity nearest to head + relation."""
    z = rng.normal(size=(N_ENT, latent))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    rels = rng.normal(size=(N_REL, latent))
    rels *= 0.6 / np.linalg.norm(rels, axis=1, keepdims=True)
    triples = []
    for r in range(N_REL):
        heads = rng.choice(N_ENT, size=n_per_rel, replace=False)
        d = np.linalg.norm(z[heads, None, :] + rels[r] - z[None, :, :], axis=-1)
        d[np.arange(n_per_rel), heads] = np.inf
        tails = d.argmin(1)
        triples += [(int(h), r, int(t)) for h, t in zip(heads, tails)]
    triples = np.array(triples)
    rng.shuffle(triples)
    return triples


class TransE(nn.Module):
    def __init__(self, n_ent, n_rel, dim, p=2):
        super().__init__()
        self.ent = nn.Embedding(n_ent, dim)
        self.rel = nn.Embedding(n_rel, dim)
        bound = 6 / dim ** 0.5
        nn.init.uniform_(self.ent.weight, -bound, bound)
        nn.init.uniform_(self.rel.weight, -bound, bound)
        with torch.no_grad():
            self.rel.weight.div_(self.rel.weight.norm(dim=1, keepdim=True))
        self.p = p

    @staticmethod
    def _unit(e):
        return F.normalize(e, p=2, dim=-1)

    def distance(self, h, r, t):
        return (self._unit(h) + r - self._unit(t)).norm(p=self.p, dim=-1)

    def forward(self, triples):
        # one embedding lookup for heads and tails together
        ht = self.ent(triples[:, [0, 2]])          # (B, 2, D)
        h, t = ht.view(2, -1, ht.size(-1))
        return self.distance(h, self.rel(triples[:, 1]), t)

    @torch.no_grad()
    def rank_tails(self, triples):
        h, r, t = triples.unbind(-1)
        cand = self.ent.weight  # (N, D)
        ranks = []
        for i in range(len(triples)):
            hi = self.ent.weight[h[i]].expand_as(cand)
            ri = self.rel.weight[r[i]].expand_as(cand)
            d = self.distance(hi, ri, cand)
            ranks.append(int((d < d[t[i]]).sum()) + 1)
        return np.array(ranks)


def corrupt(batch, n_ent, gen):
    neg = batch.clone()
    flip = torch.rand(len(batch), generator=gen) < 0.5
    rand_ent = torch.randint(0, n_ent, (len(batch),), generator=gen)
    neg[flip, 0] = rand_ent[flip]
    neg[~flip, 2] = rand_ent[~flip]
    return neg


def main():
    triples = torch.from_numpy(generate_kg()).long()
    n_test = 200
    train, test = triples[n_test:], triples[:n_test]
    print(f"{len(train)} train / {len(test)} test triples")
    model = TransE(N_ENT, N_REL, DIM)
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    crit = nn.MarginRankingLoss(margin=1.0)
    gen = torch.Generator().manual_seed(0)
    bs = 128
    for epoch in range(1, 21):
        perm = torch.randperm(len(train), generator=gen)
        tot, nb = 0.0, 0
        for i in range(0, len(train), bs):
            pos = train[perm[i:i + bs]]
            neg = corrupt(pos, N_ENT, gen)
            d_pos, d_neg = model(pos), model(neg)
            loss = crit(d_neg, d_pos, torch.ones_like(d_pos))
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item(); nb += 1
        if epoch % 5 == 0:
            ranks = model.rank_tails(test)
            print(f"epoch {epoch:2d}  loss {tot / nb:.4f}  MRR {np.mean(1 / ranks):.3f}  "
                  f"hits@10 {np.mean(ranks <= 10):.3f}  mean rank {ranks.mean():.1f}")


if __name__ == "__main__":
    main()
