"""
Parametric survival model (log-normal accelerated failure time) on generated
right-censored data: 2000 patients, 8 standardised covariates, true log-time is
a nonlinear function of the covariates, times reported in days (median ~ 300
days, up to several thousand), ~30% censoring. An MLP 8-64-64-1 predicts the
location mu of log T, a learnable log-sigma gives the scale; loss = censored
log-normal NLL (log-density for events, log-survival for censored rows).
Adam lr 3e-3, batch 64, 8 epochs (~200 steps). Metrics: test C-index and
median |mu - log T| on test events (mu is the predicted median log-time).

Seeded bug: the AFT likelihood is written for y = log T, but the target tensor
is built from the raw durations in days (`y = torch.tensor(time_days)`) - the
np.log was left out. The regression target is then in the hundreds to
thousands while the network output starts near 0: the residuals are huge, the
learned sigma blows up to absorb them, and within the budget the model never
reaches the target scale. A classic unit/scale slip with survival tables.
Measured (seed 0, 192 steps): buggy final train NLL 8981, median |mu - log T|
354 (mu is in days, not log-days) vs fixed copy (y = log days) train NLL 1.09,
median |mu - log T| 0.437. Test C-index is not hurt (buggy 0.827 vs fixed
0.772; the ranking of mu survives the wrong scale) - the harm is to the fitted
likelihood and calibrated predictions. CPU time ~6.4 s.
"""
# traindebug-expect: input_scale
import math

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N, N_TEST, N_FEAT = 2000, 500, 8
BATCH, EPOCHS, LR = 64, 8, 3e-3

x = rng.normal(size=(N, N_FEAT)).astype(np.float32)
log_t = 5.7 + 0.6 * x[:, 0] - 0.4 * x[:, 1] + 0.3 * np.tanh(2 * x[:, 2]) * x[:, 3] + 0.35 * rng.normal(size=N)
t_event = np.exp(log_t)
t_cens = rng.uniform(50, 2500, size=N)
time_days = np.minimum(t_event, t_cens).astype(np.float32)
event = (t_event <= t_cens).astype(np.float32)
print(f"median time {np.median(time_days):.0f} days, max {time_days.max():.0f}, event rate {event.mean():.2f}")

X = torch.from_numpy(x)
y = torch.tensor(time_days)
d = torch.from_numpy(event)
X_tr, y_tr, d_tr = X[N_TEST:], y[N_TEST:], d[N_TEST:]
X_te, y_te, d_te = X[:N_TEST], y[:N_TEST], d[:N_TEST]


class LogNormalAFT(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.log_sigma = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return self.net(x).squeeze(-1), self.log_sigma.exp()


def aft_nll(mu, sigma, y, event):
    z = (y - mu) / sigma
    log_pdf = -0.5 * z ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
    log_surv = torch.special.log_ndtr(-z)
    return -(event * log_pdf + (1 - event) * log_surv).mean()


def c_index(score, time, event):
    score, time, event = score.numpy(), time.numpy(), event.numpy()
    comp = (time[:, None] < time[None, :]) & (event[:, None] == 1)
    conc = (score[:, None] < score[None, :]) + 0.5 * (score[:, None] == score[None, :])
    return float((conc * comp).sum() / comp.sum())


model = LogNormalAFT(N_FEAT)
opt = torch.optim.Adam(model.parameters(), lr=LR)

step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(X_tr), BATCH):
        b = perm[i:i + BATCH]
        mu, sigma = model(X_tr[b])
        loss = aft_nll(mu, sigma, y_tr[b], d_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        step += 1
    model.eval()
    with torch.no_grad():
        mu_te, sigma = model(X_te)
    print(f"epoch {epoch} step {step}  train NLL {tot / len(X_tr):.4f}  sigma {sigma.item():.3f}  "
          f"test C-index {c_index(mu_te, y_te, d_te):.3f}")

ev = d_te.bool()
log_err = (mu_te[ev] - torch.from_numpy(log_t[:N_TEST]).float()[ev]).abs().median().item()
print(f"final test C-index {c_index(mu_te, y_te, d_te):.3f}  median |mu - log T| on events {log_err:.3f}")
