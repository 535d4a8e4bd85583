"""Discrete-time survival (per-interval hazard) network on simulated censored data, RMSprop.

Seeded bug (loss_output_mismatch): the model's forward already returns
sigmoid(logits) as the hazard, and hazard_nll then feeds those probabilities
into binary_cross_entropy_with_logits, which applies a second sigmoid. The
training objective is floored at ~0.693 and is minimised by driving every hazard
to 0. Measured (12 epochs, 120 steps): buggy train objective 0.693, held-out
hazard NLL 0.781 (worse than at epoch 0), mean predicted hazard 0.001 vs
observed 0.112; with binary_cross_entropy on the probabilities: objective 0.27,
held-out NLL 0.309, mean predicted hazard 0.120 vs observed 0.112.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(2)
rng = np.random.default_rng(0)

# --- simulate discrete-time survival data (10 follow-up intervals) ---------
N, P, K = 2000, 6, 10
X = rng.normal(size=(N, P)).astype(np.float32)
beta = np.array([0.8, -0.6, 0.5, 0.0, 0.3, 0.0])
base_logit = np.linspace(-3.0, -1.5, K)
haz = 1 / (1 + np.exp(-(base_logit[None, :] + (X @ beta)[:, None])))
event_time = np.array([np.argmax(rng.random(K) < h) if (rng.random(K) < h).any() else K for h in haz])
censor_time = rng.integers(3, K + 1, N)
time = np.minimum(event_time, censor_time)
event = (event_time < censor_time) & (event_time < K)
time = np.minimum(time, K - 1)

# person-period targets: y[k]=1 at the event interval, mask covers intervals at risk
y = np.zeros((N, K), np.float32)
mask = np.zeros((N, K), np.float32)
for i in range(N):
    mask[i, : time[i] + 1] = 1.0
    if event[i]:
        y[i, time[i]] = 1.0
    else:
        mask[i, time[i]] = 0.0  # censored during interval: not observed through its end

Xt, yt, mt = map(torch.tensor, (X, y, mask))
n_tr = 1500


class DiscreteHazardNet(nn.Module):
    def __init__(self, p, k):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(p, 32), nn.ELU(), nn.Linear(32, 32), nn.ELU())
        self.out = nn.Linear(32, k)

    def forward(self, x):
        return torch.sigmoid(self.out(self.body(x)))  # per-interval hazard


def hazard_nll(hazard, target, m):
    per = F.binary_cross_entropy_with_logits(hazard, target, reduction="none")
    return (per * m).sum() / m.sum()


def true_nll(hazard, target, m):
    per = F.binary_cross_entropy(hazard.clamp(1e-6, 1 - 1e-6), target, reduction="none")
    return ((per * m).sum() / m.sum()).item()


model = DiscreteHazardNet(P, K)
opt = torch.optim.RMSprop(model.parameters(), lr=2e-3)
for epoch in range(12):
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, 150):
        idx = perm[i:i + 150]
        loss = hazard_nll(model(Xt[idx]), yt[idx], mt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 4 == 0 or epoch == 11:
        with torch.no_grad():
            h = model(Xt[n_tr:])
            surv = torch.cumprod(1 - h, dim=1)
            obs_rate = (yt[n_tr:] * mt[n_tr:]).sum() / mt[n_tr:].sum()
            pred_rate = (h * mt[n_tr:]).sum() / mt[n_tr:].sum()
        print(f"epoch {epoch:2d} train_obj {loss.item():.4f} val_hazard_nll {true_nll(h, yt[n_tr:], mt[n_tr:]):.4f} "
              f"mean_hazard pred {pred_rate:.3f} obs {obs_rate:.3f} S(10) {surv[:, -1].mean():.3f}")
