"""Small Transformer encoder that classifies generated token sequences: label 1
when token A occurs more often than token B anywhere in the sequence (needs
global attention, not just local n-grams).

Clean control.  Pattern that may fool a naive detector: AdamW with decoupled
weight_decay=0.1, which sounds large but is the usual Transformer setting
(the effective per-step shrink is lr * wd = 1e-4); biases, LayerNorm weights
and embeddings are put in a no-decay parameter group, plus linear warmup and
cosine decay of the learning rate, and gradient-norm clipping at 1.0.
Measured: train CE 0.735 at step 1, EMA 0.240 at step 50 and 0.005 at step 200;
val accuracy 1.000 from step 50 on; total weight norm 26.85 -> 27.05 (decay
is not dominating the updates).
"""
# traindebug-expect: clean
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(11)

VOCAB, SEQ, TOK_A, TOK_B = 10, 20, 3, 7
CLS = VOCAB  # extra token id used as [CLS]


def make_batch(n, g):
    x = torch.randint(0, VOCAB, (n, SEQ), generator=g)
    cnt_a, cnt_b = (x == TOK_A).sum(1), (x == TOK_B).sum(1)
    keep = cnt_a != cnt_b
    x, y = x[keep], (cnt_a > cnt_b)[keep].long()
    return torch.cat([torch.full((len(x), 1), CLS), x], 1), y


class TinyTransformer(nn.Module):
    def __init__(self, d=32, heads=4, layers=2, ff=64, p=0.1):
        super().__init__()
        self.tok = nn.Embedding(VOCAB + 1, d)
        self.pos = nn.Parameter(torch.randn(1, SEQ + 1, d) * 0.02)
        block = nn.TransformerEncoderLayer(d, heads, ff, dropout=p, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        h = self.enc(self.tok(x) + self.pos)
        return self.head(self.norm(h[:, 0]))


def param_groups(model, wd):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.dim() < 2 or "tok" in name or "pos" in name else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def main():
    g = torch.Generator().manual_seed(0)
    Xva, yva = make_batch(1000, g)
    model = TinyTransformer()
    steps, warmup, lr = 200, 20, 1e-3
    opt = torch.optim.AdamW(param_groups(model, 0.1), lr=lr, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))

    def wnorm():
        return torch.sqrt(sum((p.detach() ** 2).sum() for p in model.parameters())).item()

    print(f"init |w| {wnorm():.2f}")
    ema = None
    for step in range(1, steps + 1):
        model.train()
        xb, yb = make_batch(48, g)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        ema = loss.item() if ema is None else 0.9 * ema + 0.1 * loss.item()
        if step == 1:
            print(f"step   1 train ce {loss.item():.3f}")
        if step % 50 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(Xva).argmax(1) == yva).float().mean().item()
            print(f"step {step:3d} train ce {ema:.3f} val acc {acc:.3f} |w| {wnorm():.2f}")


if __name__ == "__main__":
    main()
