"""Tiny pre-LN Transformer decoder (nn.MultiheadAttention with a boolean causal
attn_mask, batch_first=True) trained as a next-token model on synthetic modular
counting sequences with a per-row stride; argparse config, AdamW + OneCycleLR,
grad-norm clipping at 1.0, tied input/output embeddings.

Healthy control. Patterns a naive detector might flag: every output position depends on
all earlier positions of the same sequence (causal attention, which is intended and
never crosses samples); small but nonzero dropout (0.05) in attention/MLP/embeddings;
a shared (tied) weight between nn.Embedding and the output projection; gradient
clipping present (but not dominating); train loss printed in train mode with dropout is
a bit noisier/higher than the eval-mode val loss.

Measured (160 steps): val loss 3.20 (ln 24 = 3.18) -> 0.635, next-token accuracy for
positions t>=8 0.05 -> 0.93 (3% random noise tokens cap it).
"""
# traindebug-expect: clean
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="tiny causal transformer LM on synthetic sequences")
    p.add_argument("--vocab", type=int, default=24)
    p.add_argument("--seq-len", type=int, default=24)
    p.add_argument("--d-model", type=int, default=32)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=160)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def sample_sequences(n, seq_len, vocab, g):
    """Each row counts modulo vocab with its own stride s in {1..5}, plus occasional
    random tokens. Predicting x_t needs the previous token and s, which can only be
    inferred from earlier positions of the same row."""
    s = torch.randint(1, 6, (n, 1), generator=g)
    start = torch.randint(0, vocab, (n, 1), generator=g)
    x = (start + s * torch.arange(seq_len + 1)) % vocab
    noise = torch.rand(n, seq_len + 1, generator=g) < 0.03
    x[noise] = torch.randint(0, vocab, (int(noise.sum()),), generator=g)
    return x[:, :-1], x[:, 1:]


class Block(nn.Module):
    def __init__(self, d, h, p):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, h, dropout=p, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(p))

    def forward(self, x, mask):
        a = self.ln1(x)
        a, _ = self.attn(a, a, a, attn_mask=mask, need_weights=False)
        x = x + a
        return x + self.mlp(self.ln2(x))


class CausalLM(nn.Module):
    def __init__(self, vocab, seq_len, d, h, n_layers, p):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, seq_len, d) * 0.02)
        self.drop = nn.Dropout(p)
        self.blocks = nn.ModuleList([Block(d, h, p) for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.tok.weight  # weight tying
        nn.init.normal_(self.tok.weight, std=0.05)
        mask = torch.triu(torch.ones(seq_len, seq_len, dtype=torch.bool), diagonal=1)
        self.register_buffer("causal_mask", mask, persistent=False)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.drop(self.tok(idx) + self.pos[:, :T])
        mask = self.causal_mask[:T, :T]
        for blk in self.blocks:
            x = blk(x, mask)
        return self.lm_head(self.ln_f(x))


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    xv, yv = sample_sequences(256, args.seq_len, args.vocab, g)
    model = CausalLM(args.vocab, args.seq_len, args.d_model, args.heads, args.layers, args.dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    print(f"uniform baseline: {math.log(args.vocab):.3f}")
    for step in range(1, args.steps + 1):
        model.train()
        xb, yb = sample_sequences(args.batch_size, args.seq_len, args.vocab, g)
        logits = model(xb)
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), yb.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 40 == 0 or step == 1:
            model.eval()
            with torch.no_grad():
                vl = model(xv)
                val_loss = F.cross_entropy(vl.reshape(-1, args.vocab), yv.reshape(-1)).item()
                acc = (vl.argmax(-1) == yv)[:, 8:].float().mean().item()
            print(f"step {step:4d} train {loss.item():.4f} val {val_loss:.4f} next-token acc (t>=8) {acc:.3f}")


if __name__ == "__main__":
    main()
