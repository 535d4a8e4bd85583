"""Pairwise learning-to-rank with a functional-style scorer (explicit parameter
tensors + torch.nn.functional), nn.MarginRankingLoss on sampled item pairs and
Adagrad. Training is written as a MAP estimate: data term + Gaussian prior
(precision PRIOR_PRECISION) on the weights.

Seeded bug (over_regularization): the data term is the *mean* hinge loss over
the batch, but the Gaussian-prior term is added at full strength
0.5 * precision * ||w||^2, i.e. as if it were paired with the *sum* of the
losses over all N_TRAIN items. Relative to the data term the prior is ~N
times too strong (should be divided by N_TRAIN), so the decay dominates every
update, the weight norm is pinned at ~1.5 (vs ~11 when fixed) and score
differences cannot reach the margin.
Measured (seed 0, 300 steps): buggy  hinge stuck at ~0.6 from step 60 on, |W| 1.45,
                                     train pair acc 0.753, test pair acc 0.739;
                              fixed  hinge 0.23, |W| 10.9, train pair acc 0.895, test pair acc 0.866.
"""
# traindebug-expect: over_regularization
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_TRAIN, N_TEST, D = 1500, 500, 16
HIDDEN = 64
PAIRS_PER_STEP = 128
STEPS = 300
LR = 0.05
MARGIN = 1.0
PRIOR_PRECISION = 0.2


def make_items(n):
    x = rng.standard_normal((n, D)).astype(np.float32)
    rel = (np.sin(1.5 * x[:, 0]) + 0.8 * x[:, 1] * x[:, 2] + 0.5 * x[:, 3] - 0.4 * np.abs(x[:, 4])
           + 0.1 * rng.standard_normal(n))
    return torch.from_numpy(x), torch.from_numpy(rel.astype(np.float32))


def init_params():
    def glorot(fan_in, fan_out):
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return (torch.rand(fan_out, fan_in) * 2 * a - a).requires_grad_()
    return {
        "w1": glorot(D, HIDDEN), "b1": torch.zeros(HIDDEN, requires_grad=True),
        "w2": glorot(HIDDEN, HIDDEN), "b2": torch.zeros(HIDDEN, requires_grad=True),
        "w3": glorot(HIDDEN, 1), "b3": torch.zeros(1, requires_grad=True),
    }


def score(params, x):
    h = F.elu(F.linear(x, params["w1"], params["b1"]))
    h = F.elu(F.linear(h, params["w2"], params["b2"]))
    return F.linear(h, params["w3"], params["b3"]).squeeze(-1)


def sample_pairs(rel, k, gen):
    i = torch.randint(0, len(rel), (k,), generator=gen)
    j = torch.randint(0, len(rel), (k,), generator=gen)
    keep = rel[i] != rel[j]
    i, j = i[keep], j[keep]
    target = torch.where(rel[i] > rel[j], 1.0, -1.0)
    return i, j, target


def pair_accuracy(params, x, rel, n_pairs=4000):
    gen = torch.Generator().manual_seed(99)
    i, j, t = sample_pairs(rel, n_pairs, gen)
    with torch.no_grad():
        s = score(params, x)
    return ((s[i] - s[j]) * t > 0).float().mean().item()


def main():
    xtr, rtr = make_items(N_TRAIN)
    xte, rte = make_items(N_TEST)
    params = init_params()
    weights = [params["w1"], params["w2"], params["w3"]]
    opt = torch.optim.Adagrad(params.values(), lr=LR)
    rank_loss = torch.nn.MarginRankingLoss(margin=MARGIN)
    gen = torch.Generator().manual_seed(0)

    for step in range(1, STEPS + 1):
        i, j, t = sample_pairs(rtr, PAIRS_PER_STEP, gen)
        s = score(params, xtr)
        data = rank_loss(s[i], s[j], t)
        prior = 0.5 * PRIOR_PRECISION * sum(w.pow(2).sum() for w in weights)
        loss = data + prior
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 60 == 0:
            wn = math.sqrt(sum(w.detach().pow(2).sum().item() for w in weights))
            print(f"step {step:3d} hinge {data.item():.4f} prior {prior.item():.4f} |W| {wn:.3f} "
                  f"train pair acc {pair_accuracy(params, xtr, rtr):.3f} test pair acc {pair_accuracy(params, xte, rte):.3f}")


if __name__ == "__main__":
    main()
