"""Single-block self-attention classifier written from scratch with explicit
parameter tensors (Q/K/V/O projections, a GELU MLP, a linear read-out) on a
synthetic "which of tokens 0-3 is most frequent" task.

Seeded bug (bad_init_scale): all projection matrices are drawn with
torch.randn(d_in, d_out), i.e. unit-variance entries with no 1/sqrt(fan_in)
scaling. Every matmul multiplies the activation scale by ~sqrt(48), so the
attention scores are saturated and the logits are enormous at step 0.
Measured: initial loss 179.8 (chance ln 4 = 1.39); after 250 Adam steps the
test loss is 1.97 and test accuracy 0.63. With 1/sqrt(fan_in) scaling the
initial loss is 1.52 and the run ends at test loss 0.34, accuracy 0.82
(0.80 already after the first 50 steps).
"""
# traindebug-expect: bad_init_scale
import math
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

VOCAB, SEQ, D, N_CLS = 12, 20, 48, 4


def make_data(n, gen):
    """Label = which of the tokens 0..3 occurs most often in the sequence."""
    toks = torch.randint(0, VOCAB, (n, SEQ), generator=gen)
    counts = torch.stack([(toks == c).sum(1) for c in range(N_CLS)], 1).float()
    counts = counts + 1e-3 * torch.rand(counts.shape, generator=gen)  # break ties
    return toks, counts.argmax(1)


def init_params(d=D):
    p = {
        "emb": torch.randn(VOCAB, d),
        "pos": torch.randn(SEQ, d) * 0.02,
        "Wq": torch.randn(d, d),
        "Wk": torch.randn(d, d),
        "Wv": torch.randn(d, d),
        "Wo": torch.randn(d, d),
        "W1": torch.randn(d, 2 * d),
        "W2": torch.randn(2 * d, d),
        "Wc": torch.randn(d, N_CLS),
        "bc": torch.zeros(N_CLS),
    }
    for t in p.values():
        t.requires_grad_(True)
    return p


def forward(p, toks):
    x = p["emb"][toks] + p["pos"]                       # (B, T, D)
    q, k, v = x @ p["Wq"], x @ p["Wk"], x @ p["Wv"]
    scores = q @ k.transpose(1, 2) / math.sqrt(D)
    attn = scores.softmax(-1)
    x = x + (attn @ v) @ p["Wo"]
    x = x + F.gelu(F.layer_norm(x, (D,)) @ p["W1"]) @ p["W2"]
    pooled = x.mean(1)
    return pooled @ p["Wc"] + p["bc"]


gen = torch.Generator().manual_seed(0)
Xtr, ytr = make_data(3200, gen)
Xte, yte = make_data(1000, gen)
params = init_params()
opt = torch.optim.Adam(params.values(), lr=1e-3)

with torch.no_grad():
    l0 = F.cross_entropy(forward(params, Xtr[:512]), ytr[:512]).item()
print(f"initial loss {l0:.3f}  (chance = ln 4 = {math.log(4):.3f})")

step = 0
for epoch in range(5):
    perm = torch.randperm(len(Xtr), generator=gen)
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        loss = F.cross_entropy(forward(params, Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        logits = forward(params, Xte)
        acc = (logits.argmax(1) == yte).float().mean().item()
        tl = F.cross_entropy(logits, yte).item()
    print(f"epoch {epoch}  steps {step}  last batch loss {loss.item():.3f}  test loss {tl:.3f}  test acc {acc:.3f}")
