"""Top-1 (switch-style) mixture-of-experts regressor on generated piecewise-linear
data (4 hidden regimes), affine experts, linear router, AdamW.

Seeded bug (no_gradient_flow): the router picks the expert with argmax, and the
chosen expert's output is written into `out` without being scaled by the
router probability (Switch Transformer multiplies by probs[..., e]).  argmax is
non-differentiable, so router.weight / router.bias never receive a gradient
(.grad stays None) and the routing stays at its random initial partition
(load frozen at [0.04, 0.39, 0.40, 0.18] for all 392 steps).
Measured (14 epochs, 392 steps): buggy train MSE 0.277 / val MSE 0.281;
fixed (out[mask] = probs[mask, e] * expert(x[mask])) train MSE 0.129 / val MSE 0.117.
"""
# traindebug-expect: no_gradient_flow
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)

# piecewise regression: the input space is split into regimes by a hidden linear
# partition, and each regime follows its own nonlinear response
D_IN, N_REGIMES, N = 8, 4, 4096
centers = torch.randn(N_REGIMES, D_IN) * 2.0
resp_W = torch.randn(N_REGIMES, D_IN)
resp_b = torch.randn(N_REGIMES) * 2.0
X = torch.randn(N, D_IN) + centers[torch.randint(0, N_REGIMES, (N,))]
regime = torch.cdist(X, centers).argmin(1)
y = (X * resp_W[regime]).sum(1) + resp_b[regime] + 0.1 * torch.randn(N)
y = (y - y.mean()) / y.std()
Xtr, ytr, Xva, yva = X[:3584], y[:3584], X[3584:], y[3584:]

CFG = dict(n_experts=4, lr=1e-2, weight_decay=1e-4, batch=128, epochs=14)


class Expert(nn.Module):
    """Each expert is a small affine regressor (one per expected regime)."""

    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, 1)

    def forward(self, x):
        return self.proj(x).squeeze(-1)


class Top1MoE(nn.Module):
    """Switch-style layer: a router picks one expert per example."""

    def __init__(self, d, n_experts):
        super().__init__()
        self.router = nn.Linear(d, n_experts)
        self.experts = nn.ModuleList(Expert(d) for _ in range(n_experts))

    def forward(self, x):
        logits = self.router(x)
        probs = logits.softmax(-1)
        choice = probs.argmax(-1)
        out = torch.zeros(x.shape[0], device=x.device)
        for e, expert in enumerate(self.experts):
            mask = choice == e
            if mask.any():
                out[mask] = expert(x[mask])
        # load-balancing statistic (fraction routed per expert), logged only
        load = torch.bincount(choice, minlength=len(self.experts)).float() / x.shape[0]
        return out, load


model = Top1MoE(D_IN, CFG["n_experts"])
opt = torch.optim.AdamW(model.parameters(), lr=CFG["lr"], weight_decay=CFG["weight_decay"])

step = 0
for epoch in range(CFG["epochs"]):
    perm = torch.randperm(len(Xtr))
    run = 0.0
    for i in range(0, len(Xtr), CFG["batch"]):
        idx = perm[i:i + CFG["batch"]]
        pred, load = model(Xtr[idx])
        loss = F.mse_loss(pred, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
        step += 1
    with torch.no_grad():
        pv, load = model(Xva)
        va = F.mse_loss(pv, yva).item()
    if epoch % 3 == 0 or epoch == CFG["epochs"] - 1:
        print(f"epoch {epoch:2d} step {step} train_mse {run / len(Xtr):.4f} val_mse {va:.4f} load {[round(v, 2) for v in load.tolist()]}")
