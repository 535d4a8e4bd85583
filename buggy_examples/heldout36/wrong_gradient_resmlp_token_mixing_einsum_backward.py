"""
ResMLP-style token mixer on load_digits written functionally (explicit parameter tensors,
nested dict): 2x2 patches -> 48-d embedding, 2 blocks of [affine, square 16x16 linear
token mixing, layer-scale, residual] + [affine, channel MLP 48-96-48 GELU, layer-scale,
residual], mean pool, linear head. Adam lr 3e-3, batch 32, 8 epochs (320 steps).

Seeded bug: the token mixing is a fused torch.autograd.Function
(out[b,s,c] = sum_t W[s,t] x[b,t,c] + bias[s]) whose hand-written backward uses the index
order of the opposite convention (x @ W): grad_x = einsum('bsc,ts->btc') and
grad_W = einsum('bsc,btc->ts'), i.e. both are transposed. Because the token-mixing matrix
is square, the shapes still match and nothing crashes, but the gradients disagree with
finite differences; Adam follows the wrong direction and the loss drifts up.

Measured (seed 0, 1 thread): buggy: train loss 2.28 -> 1.63 (epoch 1) then rises to 39,
final test loss 87.7, test acc 0.274. Fixed copy (grad_x = einsum('bsc,st->btc'),
grad_W = einsum('bsc,btc->st')): final test loss 0.220, test acc 0.943.
"""
# traindebug-expect: wrong_gradient
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

PATCH, DIM, DEPTH, HIDDEN = 2, 48, 2, 96
N_TOK = (8 // PATCH) ** 2


class TokenMix(torch.autograd.Function):
    """Fused token-mixing linear map: out[b, s, c] = sum_t W[s, t] x[b, t, c] + bias[s]."""

    @staticmethod
    def forward(ctx, x, W, bias):
        ctx.save_for_backward(x, W)
        return torch.einsum("btc,st->bsc", x, W) + bias[None, :, None]

    @staticmethod
    def backward(ctx, g):
        x, W = ctx.saved_tensors
        grad_x = torch.einsum("bsc,ts->btc", g, W)
        grad_W = torch.einsum("bsc,btc->ts", g, x)
        grad_b = g.sum(dim=(0, 2))
        return grad_x, grad_W, grad_b


def affine(dim):
    return {"alpha": torch.ones(dim), "beta": torch.zeros(dim)}


def init_params():
    def lin(i, o):
        bound = 1.0 / math.sqrt(i)
        return (torch.empty(o, i).uniform_(-bound, bound), torch.empty(o).uniform_(-bound, bound))

    P = {"embed": lin(PATCH * PATCH, DIM), "blocks": [], "head": lin(DIM, 10)}
    for _ in range(DEPTH):
        P["blocks"].append({
            "aff1": affine(DIM), "tok": lin(N_TOK, N_TOK), "ls1": torch.full((DIM,), 0.5),
            "aff2": affine(DIM), "fc1": lin(DIM, HIDDEN), "fc2": lin(HIDDEN, DIM), "ls2": torch.full((DIM,), 0.5),
        })
    return P


def flat(P):
    out = []
    for v in P.values() if isinstance(P, dict) else P:
        if isinstance(v, torch.Tensor):
            out.append(v)
        else:
            out.extend(flat(v))
    return out


def forward(P, img):
    x = F.unfold(img, PATCH, stride=PATCH).transpose(1, 2)          # (B, T, p*p)
    x = F.linear(x, *P["embed"])
    for blk in P["blocks"]:
        h = x * blk["aff1"]["alpha"] + blk["aff1"]["beta"]
        x = x + blk["ls1"] * TokenMix.apply(h, *blk["tok"])
        h = x * blk["aff2"]["alpha"] + blk["aff2"]["beta"]
        x = x + blk["ls2"] * F.linear(F.gelu(F.linear(h, *blk["fc1"])), *blk["fc2"])
    return F.linear(x.mean(dim=1), *P["head"])


def main():
    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    X = (X - 8.0) / 8.0
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    X_tr = torch.tensor(X_tr, dtype=torch.float32).view(-1, 1, 8, 8)
    X_te = torch.tensor(X_te, dtype=torch.float32).view(-1, 1, 8, 8)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    P = init_params()
    params = flat(P)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=3e-3)

    bs, step = 32, 0
    for epoch in range(8):
        perm = torch.randperm(len(X_tr))
        tot = 0.0
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(forward(P, X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            step += 1
        with torch.no_grad():
            logits = forward(P, X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            te_acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch}  step {step}  train loss {tot / len(X_tr):.4f}  test loss {te_loss:.4f}  test acc {te_acc:.4f}")
    print(f"final test acc {te_acc:.4f}  test loss {te_loss:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
