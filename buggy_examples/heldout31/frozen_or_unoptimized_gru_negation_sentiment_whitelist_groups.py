"""GRU sentiment classifier on synthetic token "reviews" (20 tokens; positive/negative words, a "not"
token flips the next sentiment word, label = sign of the total): Embedding(60,32) -> GRU(64) -> LayerNorm
-> Linear, BCE-with-logits, AdamW lr 3e-3 with minGPT-style decay/no-decay parameter groups, 5 epochs
(315 steps).

Seeded bug: configure_optimizer is copied from minGPT without its final assertion that every parameter was
assigned to a group. The GRU's parameters are named weight_ih_l0 / bias_hh_l0 etc. and its module is in
neither whitelist nor blacklist, so they fall through every branch and are never handed to the optimizer:
they receive gradients every step but stay at their random init.

Measured: final test acc 0.626 (train 0.631) with the bug versus test acc 0.906 (train 0.966) for a fixed
copy whose loop puts all remaining parameters into the no-decay group. Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: frozen_or_unoptimized
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
random.seed(0)

# token ids: 0 pad, 1 "not", 2..11 positive words, 12..21 negative words, 22..59 neutral words
NOT, POS, NEG, NEUTRAL, VOCAB = 1, range(2, 12), range(12, 22), range(22, 60), 60


def make_review(length=20):
    toks, score = [], 0
    negate = False
    while len(toks) < length:
        r = random.random()
        if r < 0.15:
            toks.append(NOT)
            negate = True
            continue
        if r < 0.45:
            pos = random.random() < 0.5
            toks.append(random.choice(POS if pos else NEG))
            s = 1 if pos else -1
            score += -s if negate else s
        else:
            toks.append(random.choice(NEUTRAL))
        negate = False
    return toks[:length], int(score > 0)


def make_set(n):
    data = [make_review() for _ in range(n)]
    return torch.tensor([d[0] for d in data]), torch.tensor([d[1] for d in data]).float()


X_tr, y_tr = make_set(4000)
X_te, y_te = make_set(1000)


class ReviewGRU(nn.Module):
    def __init__(self, vocab, d_emb=32, d_hid=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, d_emb)
        self.gru = nn.GRU(d_emb, d_hid, batch_first=True)
        self.norm = nn.LayerNorm(d_hid)
        self.head = nn.Linear(d_hid, 1)

    def forward(self, x):
        _, h = self.gru(self.emb(x))
        return self.head(self.norm(h[-1])).squeeze(1)


def configure_optimizer(model, lr, weight_decay):
    """AdamW with decay on Linear weights only (no decay for biases, norms, embeddings)."""
    decay, no_decay = set(), set()
    whitelist, blacklist = (nn.Linear,), (nn.LayerNorm, nn.Embedding)
    for mn, m in model.named_modules():
        for pn, _ in m.named_parameters(recurse=False):
            fpn = f"{mn}.{pn}" if mn else pn
            if pn.endswith("bias"):
                no_decay.add(fpn)
            elif pn.endswith("weight") and isinstance(m, whitelist):
                decay.add(fpn)
            elif pn.endswith("weight") and isinstance(m, blacklist):
                no_decay.add(fpn)
    params = dict(model.named_parameters())
    groups = [
        {"params": [params[n] for n in sorted(decay)], "weight_decay": weight_decay},
        {"params": [params[n] for n in sorted(no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr)


model = ReviewGRU(VOCAB)
opt = configure_optimizer(model, lr=3e-3, weight_decay=0.01)


def accuracy(x, y):
    with torch.no_grad():
        return ((model(x) > 0).float() == y).float().mean().item()


bs, step = 64, 0
for epoch in range(5):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), bs):
        idx = perm[i:i + bs]
        loss = F.binary_cross_entropy_with_logits(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        te_loss = F.binary_cross_entropy_with_logits(model(X_te), y_te).item()
    print(f"epoch {epoch}  step {step}  train loss {loss.item():.4f}  test loss {te_loss:.4f}  "
          f"test acc {accuracy(X_te, y_te):.3f}")

print(f"final train acc {accuracy(X_tr, y_tr):.3f}  test acc {accuracy(X_te, y_te):.3f}")
