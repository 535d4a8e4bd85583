"""Cox proportional-hazards survival network on a simulated censored cohort,
written functionally (explicit parameter tensors, F.elu / F.dropout), trained
with Adagrad on the Breslow partial likelihood.

Healthy control. Patterns a naive detector might flag: the loss legitimately
couples all samples of a batch (each event is compared against its risk set via
a logcumsumexp over the batch sorted by descending time), so d loss_i / d x_j
is non-zero by design and each batch is internally re-sorted; the partial
likelihood has a high floor (it is about log of the risk-set size, not 0) and
falls only modestly; the output layer has no bias and starts at a tiny scale.
Measured (20 epochs, 220 steps): full-train partial NLL 6.50 -> 5.88, test
C-index 0.500 -> 0.772, versus 0.775 for the oracle true log-hazard.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn.functional as F

g = torch.Generator().manual_seed(123)
rng = np.random.default_rng(123)

N_FEAT, HIDDEN = 8, 32


def simulate_cohort(n):
    x = rng.normal(size=(n, N_FEAT)).astype(np.float32)
    log_hr = 0.9 * x[:, 0] - 0.7 * x[:, 1] + 0.6 * x[:, 2] * x[:, 3] + 0.5 * np.tanh(2 * x[:, 4])
    t_event = rng.exponential(scale=np.exp(-log_hr))
    t_cens = rng.exponential(scale=1.5, size=n)
    time = np.minimum(t_event, t_cens)
    event = (t_event <= t_cens).astype(np.float32)
    return (torch.from_numpy(x), torch.from_numpy(time.astype(np.float32)),
            torch.from_numpy(event), log_hr)


def init_params():
    def w(fan_in, fan_out):
        return (torch.randn(fan_in, fan_out, generator=g) * math.sqrt(2.0 / fan_in)).requires_grad_()
    return {
        "w1": w(N_FEAT, HIDDEN), "b1": torch.zeros(HIDDEN, requires_grad=True),
        "w2": w(HIDDEN, HIDDEN), "b2": torch.zeros(HIDDEN, requires_grad=True),
        "w3": (torch.randn(HIDDEN, 1, generator=g) * 0.01).requires_grad_(),
    }


def risk_score(params, x, train=False):
    h = F.elu(x @ params["w1"] + params["b1"])
    h = F.dropout(h, p=0.1, training=train)
    h = F.elu(h @ params["w2"] + params["b2"])
    return (h @ params["w3"]).squeeze(-1)      # log hazard ratio, no bias (not identifiable)


def cox_partial_nll(score, time, event):
    # Breslow partial likelihood: each event is compared with its risk set
    # {j : time_j >= time_i}; sorting by descending time makes the risk set a prefix.
    order = torch.argsort(time, descending=True)
    s, e = score[order], event[order]
    log_risk = torch.logcumsumexp(s, dim=0)
    return -((s - log_risk) * e).sum() / e.sum().clamp_min(1.0)


def concordance(score, time, event):
    s, t, e = score.numpy(), time.numpy(), event.numpy()
    num = den = 0.0
    for i in np.flatnonzero(e == 1):
        later = t > t[i]
        den += later.sum()
        num += (s[i] > s[later]).sum() + 0.5 * (s[i] == s[later]).sum()
    return num / den


x_tr, t_tr, e_tr, _ = simulate_cohort(1500)
x_te, t_te, e_te, true_te = simulate_cohort(500)
print(f"event rate train {e_tr.mean():.2f}")

params = init_params()
opt = torch.optim.Adagrad(params.values(), lr=0.05)
BATCH = 128   # the partial likelihood needs reasonably large risk sets

with torch.no_grad():
    s0 = risk_score(params, x_te)
    print(f"init  full-train nll {cox_partial_nll(risk_score(params, x_tr), t_tr, e_tr).item():.4f}  "
          f"test C-index {concordance(s0, t_te, e_te):.3f}")

for epoch in range(20):
    perm = torch.randperm(len(x_tr), generator=g)
    tot = 0.0
    for i in range(0, len(perm) - BATCH + 1, BATCH):
        b = perm[i:i + BATCH]
        loss = cox_partial_nll(risk_score(params, x_tr[b], train=True), t_tr[b], e_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
    if epoch % 5 == 4:
        with torch.no_grad():
            s_te = risk_score(params, x_te)
            c = concordance(s_te, t_te, e_te)
            full_nll = cox_partial_nll(risk_score(params, x_tr), t_tr, e_tr).item()
        print(f"epoch {epoch + 1:2d}  batch nll {tot / (len(perm) // BATCH):.4f}  "
              f"full-train nll {full_nll:.4f}  test C-index {c:.3f}")

oracle = concordance(torch.from_numpy(true_te.astype(np.float32)), t_te, e_te)
print(f"oracle C-index with the true log-hazard: {oracle:.3f}")
