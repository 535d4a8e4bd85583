"""Top-1 mixture-of-experts regressor (router + 6 GELU experts with sparse
index-based dispatch, residual connection, small Switch-style balancing term,
AdamW + cosine schedule) on a piecewise regression problem whose five
operating regimes occur with probabilities 0.50/0.28/0.12/0.07/0.03.

Clean control. Patterns a naive detector might flag: routing is strongly
unbalanced by design (two experts take ~43% of the tokens each, one only
0.5%), so in 288 of 320 steps at least one expert receives no tokens and its
parameters have .grad None (zero_grad(set_to_none=True)) and are not updated
that step; the balancing coefficient is deliberately tiny. This is the
intended specialisation, not a dead or frozen sub-network: every expert gets
tokens over the run.

Measured (8 epochs, 320 steps): train MSE 1.10 -> 0.30, val MSE 0.39,
val R^2 0.84 (target noise var 0.01); final expert token shares 0.005 0.022
0.434 0.086 0.029 0.424. A dense MLP block of similar size in place of the
MoE, same budget: val MSE 0.44, R^2 0.82.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---- piecewise regression data: five operating regimes of very different frequency
REGIME_P = np.array([0.50, 0.28, 0.12, 0.07, 0.03])
N, D = 4000, 6


def make_data(n):
    r = rng.choice(len(REGIME_P), size=n, p=REGIME_P)
    x = rng.normal(0, 1, (n, D)).astype(np.float32)
    x[:, 0] = r - 2.0 + 0.15 * rng.standard_normal(n)   # regime is visible in feature 0
    y = np.empty(n, np.float32)
    y[r == 0] = 1.5 * x[r == 0, 1] - x[r == 0, 2]
    y[r == 1] = np.sin(2 * x[r == 1, 1]) + x[r == 1, 3]
    y[r == 2] = 0.8 * x[r == 2, 2] + 0.5 * x[r == 2, 4]
    y[r == 3] = -2.0 * np.abs(x[r == 3, 1]) + 1.0
    y[r == 4] = 1.2 * x[r == 4, 5] + 0.5
    y += 0.1 * rng.standard_normal(n).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(r)


x_tr, y_tr, r_tr = make_data(N)
x_va, y_va, r_va = make_data(1000)


class Top1MoE(nn.Module):
    def __init__(self, d, hidden, n_experts):
        super().__init__()
        self.router = nn.Linear(d, n_experts)
        self.experts = nn.ModuleList(
            nn.Sequential(nn.Linear(d, hidden), nn.GELU(), nn.Linear(hidden, d))
            for _ in range(n_experts))
        self.n_experts = n_experts
        self.register_buffer("tokens_seen", torch.zeros(n_experts))

    def forward(self, h):
        probs = F.softmax(self.router(h), dim=-1)
        gate, idx = probs.max(dim=-1)
        out = torch.zeros_like(h)
        for e in range(self.n_experts):
            sel = (idx == e).nonzero(as_tuple=True)[0]
            if sel.numel() == 0:
                continue                      # expert gets no tokens (and no grad) this step
            out[sel] = gate[sel, None] * self.experts[e](h[sel])
        if self.training:
            self.tokens_seen += torch.bincount(idx, minlength=self.n_experts).float()
        # Switch-transformer balancing term, kept small on purpose: the regimes
        # really are unbalanced, so routing should be too
        frac = torch.bincount(idx, minlength=self.n_experts).float() / len(idx)
        self.aux = self.n_experts * (frac * probs.mean(0)).sum()
        return out


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(D, 48)
        self.moe = Top1MoE(48, 64, n_experts=6)
        self.out = nn.Linear(48, 1)

    def forward(self, x):
        h = F.gelu(self.inp(x))
        h = h + self.moe(h)
        return self.out(h).squeeze(-1)


model = Regressor()
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=320)
aux_w = 1e-2
bs = 100
step = 0
for epoch in range(8):
    perm = torch.randperm(N)
    run = 0.0
    for i in range(0, N, bs):
        j = perm[i:i + bs]
        pred = model(x_tr[j])
        mse = F.mse_loss(pred, y_tr[j])
        loss = mse + aux_w * model.moe.aux
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        run += mse.item()
        step += 1
    model.eval()
    with torch.no_grad():
        pv = model(x_va)
        va = F.mse_loss(pv, y_va).item()
        r2 = 1 - va / y_va.var().item()
    model.train()
    share = (model.moe.tokens_seen / model.moe.tokens_seen.sum()).tolist()
    print(f"epoch {epoch} step {step} train_mse {run / (N // bs):.4f} val_mse {va:.4f} "
          f"val_R2 {r2:.3f} expert_share " + " ".join(f"{s:.3f}" for s in share))

with torch.no_grad():
    pv = model(x_va)
    for k in range(len(REGIME_P)):
        m = r_va == k
        print(f"regime {k} (p={REGIME_P[k]:.2f}) val_mse {F.mse_loss(pv[m], y_va[m]).item():.4f}")
