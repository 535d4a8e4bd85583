"""
Key-value memory network answering fact queries over generated mini knowledge bases: each example
stores 8 facts (subject, relation) -> value (24 subjects, 6 relations, 20 values); the query asks one
stored (subject, relation) pair. Keys/queries = Linear+LayerNorm of summed embeddings (dim 256),
independent sigmoid addressing gates over the memory slots, gated sum of value embeddings, MLP answer
head with cross-entropy. Adam lr 2e-3, batch 64, 200 steps sampled from 8000 training examples,
argparse config.

Seeded bug: the addressing scores are raw dot products of two LayerNorm-ed 256-d vectors,
`sigmoid(q . k)`, without the 1/sqrt(d) temperature. The scores have a standard deviation of about
sqrt(256) = 16 at initialisation, so almost every gate sits at exactly 0 or 1 in the flat region of
the sigmoid and passes (almost) no gradient to the key/query encoders; the model cannot learn which
slot to read. Forgetting the scaling when swapping softmax attention for sigmoid gating (or when
writing the dot product by hand) is a common slip.

Measured (seed 0, 1 thread): buggy final test accuracy 0.500 (test loss 1.35, fluctuating between
0.46 and 0.58 accuracy after step 40) vs fixed copy (scores divided by sqrt(d)) test accuracy 1.000
(test loss 0.0005). Chance is 0.05.
"""
# traindebug-expect: saturated_units
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def make_facts(n, n_mem, n_subj, n_rel, n_val, gen):
    """Each example is a small knowledge base of (subject, relation) -> value facts plus one query."""
    pairs = torch.stack([torch.randperm(n_subj * n_rel, generator=gen)[:n_mem] for _ in range(n)])
    subj, rel = pairs // n_rel, pairs % n_rel
    val = torch.randint(0, n_val, (n, n_mem), generator=gen)
    pick = torch.randint(0, n_mem, (n,), generator=gen)
    rows = torch.arange(n)
    return subj, rel, val, subj[rows, pick], rel[rows, pick], val[rows, pick]


class KeyValueMemoryNet(nn.Module):
    def __init__(self, n_subj, n_rel, n_val, dim):
        super().__init__()
        self.subj = nn.Embedding(n_subj, dim)
        self.rel = nn.Embedding(n_rel, dim)
        self.val = nn.Embedding(n_val, dim)
        self.key_proj = nn.Sequential(nn.Linear(dim, dim), nn.LayerNorm(dim))
        self.query_proj = nn.Sequential(nn.Linear(dim, dim), nn.LayerNorm(dim))
        self.out = nn.Sequential(nn.Linear(2 * dim, dim), nn.ReLU(), nn.Linear(dim, n_val))

    def forward(self, m_subj, m_rel, m_val, q_subj, q_rel):
        keys = self.key_proj(self.subj(m_subj) + self.rel(m_rel))          # (B, M, d)
        values = self.val(m_val)                                          # (B, M, d)
        query = self.query_proj(self.subj(q_subj) + self.rel(q_rel))      # (B, d)
        scores = torch.einsum("bd,bmd->bm", query, keys)
        # independent sigmoid addressing: a query may match zero, one or several facts
        gates = torch.sigmoid(scores)
        read = torch.einsum("bm,bmd->bd", gates, values)
        return self.out(torch.cat([read, query], dim=-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--mem", type=int, default=8)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    n_subj, n_rel, n_val = 24, 6, 20
    train = make_facts(8000, args.mem, n_subj, n_rel, n_val, gen)
    test = make_facts(2000, args.mem, n_subj, n_rel, n_val, gen)

    model = KeyValueMemoryNet(n_subj, n_rel, n_val, args.dim)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    n = train[0].shape[0]
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, n, (args.batch,))
        *inputs, target = [t[idx] for t in train]
        loss = F.cross_entropy(model(*inputs), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 40 == 0:
            with torch.no_grad():
                *t_in, t_y = test
                logits = model(*t_in)
                acc = (logits.argmax(-1) == t_y).float().mean().item()
                t_loss = F.cross_entropy(logits, t_y).item()
            print(f"step {step:4d} train_loss {loss.item():.4f} test_loss {t_loss:.4f} test_acc {acc:.3f}")
    print(f"final test accuracy {acc:.3f} (chance {1 / n_val:.3f})")


if __name__ == "__main__":
    main()
