"""Single-block attention classifier (nn.MultiheadAttention with
key_padding_mask) on generated variable-length token sequences; the label is
whether exactly one of two trigger tokens occurs (an XOR that needs token
interaction before pooling).

Seeded bug (no_gradient_flow): the masked_mean pooling helper multiplies
`h.data` by the keep-mask, so the pooled vector is cut off from the autograd
graph. Only the output Linear learns; the embedding, positional table,
attention, LayerNorms and feed-forward block keep requires_grad=True but their
.grad stays None for the whole run.

Measured (seed 0, 300 AdamW steps, batch 64): buggy loss stays 0.68-0.70 and
test accuracy 0.522 (chance 0.5); using `h` instead of `h.data` gives loss
0.028 and test accuracy 0.997.
"""
# traindebug-expect: no_gradient_flow
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

PAD = 0


def make_dataset(n, vocab, min_len, max_len, gen):
    """Variable-length token sequences; label = exactly one of the two trigger tokens occurs."""
    A, B = 1, 2
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=gen)
    seqs = torch.full((n, max_len), PAD, dtype=torch.long)
    labels = torch.empty(n, dtype=torch.long)
    for i in range(n):
        L = lengths[i].item()
        s = torch.randint(3, vocab, (L,), generator=gen)
        case = torch.randint(0, 4, (1,), generator=gen).item()
        pos = torch.randperm(L, generator=gen)
        if case in (1, 3):
            s[pos[0]] = A
        if case in (2, 3):
            s[pos[1]] = B
        seqs[i, :L] = s
        labels[i] = int(case in (1, 2))
    return seqs, lengths, labels


def masked_mean(h, pad_mask):
    """Mean over the non-padded positions. pad_mask: True where padded."""
    keep = (~pad_mask).unsqueeze(-1).to(h.dtype)
    summed = (h.data * keep).sum(dim=1)
    return summed / keep.sum(dim=1).clamp(min=1.0)


class AttnClassifier(nn.Module):
    def __init__(self, vocab, d_model=32, n_heads=4, max_len=32, n_classes=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(max_len, d_model) * 0.02)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, 64), nn.GELU(), nn.Linear(64, d_model))
        self.norm2 = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, n_classes)

    def forward(self, tokens):
        pad_mask = tokens.eq(PAD)
        x = self.tok(tokens) * math.sqrt(self.tok.embedding_dim) + self.pos[: tokens.size(1)]
        a, _ = self.attn(x, x, x, key_padding_mask=pad_mask, need_weights=False)
        x = self.norm1(x + a)
        x = self.norm2(x + self.ff(x))
        return self.out(masked_mean(x, pad_mask))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=12)
    p.add_argument("--min-len", type=int, default=4)
    p.add_argument("--max-len", type=int, default=24)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    x_tr, len_tr, y_tr = make_dataset(4000, args.vocab, args.min_len, args.max_len, gen)
    x_te, len_te, y_te = make_dataset(1000, args.vocab, args.min_len, args.max_len, gen)

    model = AttnClassifier(args.vocab, max_len=args.max_len)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.steps)

    for step in range(1, args.steps + 1):
        idx = torch.randint(0, len(x_tr), (args.batch_size,))
        xb = x_tr[idx]
        xb = xb[:, : len_tr[idx].max()]  # trim the batch to its longest sequence
        loss = F.cross_entropy(model(xb), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(x_te).argmax(1) == y_te).float().mean().item()
            model.train()
            print(f"step {step:4d}  loss {loss.item():.4f}  test acc {acc:.3f}")


if __name__ == "__main__":
    main()
