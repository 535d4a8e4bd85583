"""clean: small self-attention classifier trained with AdamW at a fairly high
peak learning rate (3e-3) reached by a linear warm-up over 25 steps and then
cosine-decayed to 1e-5 by the last step, with gradient-norm clipping at 1.0.
A naive detector may flag the large peak lr, the early loss bumps during
warm-up, or the tiny lr at the end ("lr decayed to ~0"); all are intended.
Measured (seed 0, 200 steps): batch loss 1.351 at step 0 (chance ln 4 =
1.386) -> 0.017 at the last step; test acc 1.000 on 1000 fresh sequences.
"""
# traindebug-expect: clean
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Cfg:
    vocab: int = 12
    seq_len: int = 16
    d_model: int = 32
    n_heads: int = 4
    n_classes: int = 4
    batch: int = 48
    steps: int = 200
    warmup: int = 25
    peak_lr: float = 3e-3
    final_lr: float = 1e-5
    weight_decay: float = 0.05
    seed: int = 0


def make_batch(cfg, n, g):
    """Label = which of tokens 1..4 occurs most often in the sequence."""
    x = torch.randint(0, cfg.vocab, (n, cfg.seq_len), generator=g)
    counts = torch.stack([(x == k).sum(1) for k in range(1, 5)], 1).float()
    counts += 0.01 * torch.arange(4)
    return x, counts.argmax(1)


class AttnBlock(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, h, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.ff(self.ln2(x))


class Classifier(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab, cfg.d_model)
        self.pos = nn.Parameter(torch.randn(cfg.seq_len, cfg.d_model) * 0.02)
        self.blocks = nn.Sequential(AttnBlock(cfg.d_model, cfg.n_heads),
                                    AttnBlock(cfg.d_model, cfg.n_heads))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.n_classes)

    def forward(self, x):
        h = self.blocks(self.tok(x) + self.pos)
        return self.head(self.ln(h).mean(1))


def lr_lambda(cfg):
    def f(step):
        if step < cfg.warmup:
            return (step + 1) / cfg.warmup
        t = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup - 1)
        lo = cfg.final_lr / cfg.peak_lr
        return lo + (1 - lo) * 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))
    return f


def main(cfg=Cfg()):
    torch.manual_seed(cfg.seed)
    g = torch.Generator().manual_seed(cfg.seed)
    xte, yte = make_batch(cfg, 1000, g)
    model = Classifier(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.peak_lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(cfg))
    for step in range(cfg.steps):
        xb, yb = make_batch(cfg, cfg.batch, g)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 20 == 0 or step == cfg.steps - 1:
            print(f"step {step:4d} lr {opt.param_groups[0]['lr']:.2e} loss {loss.item():.4f} gnorm {gn:.2f}")
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"test acc {acc:.3f}")


if __name__ == "__main__":
    main()
