"""DeepSurv-style Cox proportional-hazards MLP (7 -> 32 -> 32 -> 1, ReLU,
dropout 0.1) on a synthetic cardiology cohort (3000 patients, right-censored
survival times).  Negative Cox partial log-likelihood via logcumsumexp over
time-sorted risk sets, Adam lr 1e-3, batch 256 from a DataLoader, 25 epochs
(250 steps), dataclass config; Harrell's C-index on a held-out split.

Seeded bug: the covariates go into the network in their raw clinical units:
age in years (30-85), blood pressure in mmHg (~135), creatinine in umol/L
(~85), troponin in ng/mL (~0.01), ejection fraction as a fraction (0.2-0.7),
household income in USD (~45,000) and days since enrolment (0-730).  This is
a habit carried over from tree models, which do not need scaling.  Income
and follow-up days dominate every first-layer pre-activation by 3-5 orders of
magnitude, the risk scores start in the thousands, and the strongly predictive
but tiny-valued troponin / ejection-fraction inputs are invisible to Adam's
per-weight step sizes, so the model never ranks patients.
Measured (fixed copy standardises with train mean/std): test C-index 0.503 vs
0.821, train C-index 0.511 vs 0.804, final train Cox NLL 35.8 vs 6.55
(epoch-1 loss in the thousands for the buggy run).
"""
# traindebug-expect: input_scale
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


@dataclass
class Config:
    n_patients: int = 3000
    hidden: int = 32
    lr: float = 1e-3
    batch_size: int = 256
    epochs: int = 25
    dropout: float = 0.1


cfg = Config()

# ---------------------------------------------------------------- synthetic cohort
n = cfg.n_patients
age = rng.uniform(30, 85, n)                      # years
sbp = rng.normal(135, 18, n)                      # mmHg
creat = rng.lognormal(np.log(85), 0.3, n)         # umol/L
troponin = rng.lognormal(np.log(0.01), 0.8, n)    # ng/mL
ef = rng.uniform(0.2, 0.7, n)                     # ejection fraction (fraction)
income = rng.lognormal(np.log(45000), 0.5, n)     # USD / year
followup_days = rng.uniform(0, 730, n)            # days since enrolment at baseline visit

log_hazard = (
    0.04 * (age - 60)
    + 0.01 * (sbp - 135)
    + 0.8 * np.log(creat / 85)
    + 0.9 * np.log(troponin / 0.01)
    - 5.0 * (ef - 0.45)
    + 0.8 * np.sin(8 * ef)
)
t_event = rng.exponential(365 * np.exp(-log_hazard))
t_censor = rng.uniform(100, 1500, n)
time = np.minimum(t_event, t_censor)
event = (t_event <= t_censor).astype(np.float32)
print(f"patients {n}  event rate {event.mean():.2f}  median follow-up {np.median(time):.0f} days")

X = np.stack([age, sbp, creat, troponin, ef, income, followup_days], axis=1).astype(np.float32)
idx = rng.permutation(n)
tr, te = idx[:2400], idx[2400:]

X_tr, X_te = torch.tensor(X[tr]), torch.tensor(X[te])
T_tr, T_te = torch.tensor(time[tr], dtype=torch.float32), torch.tensor(time[te], dtype=torch.float32)
E_tr, E_te = torch.tensor(event[tr]), torch.tensor(event[te])


# ---------------------------------------------------------------- DeepSurv
class DeepSurv(nn.Module):
    def __init__(self, d_in, hidden, dropout):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def cox_ph_loss(risk, time, event):
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)
    return -((risk - log_risk_set) * event).sum() / event.sum().clamp(min=1)


def concordance(risk, time, event):
    risk, time, event = risk.numpy(), time.numpy(), event.numpy()
    ok = event[:, None].astype(bool) & (time[:, None] < time[None, :])
    conc = (risk[:, None] > risk[None, :]) & ok
    ties = (risk[:, None] == risk[None, :]) & ok
    return (conc.sum() + 0.5 * ties.sum()) / ok.sum()


model = DeepSurv(X.shape[1], cfg.hidden, cfg.dropout)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
loader = DataLoader(TensorDataset(X_tr, T_tr, E_tr), batch_size=cfg.batch_size, shuffle=True)

step = 0
for epoch in range(1, cfg.epochs + 1):
    model.train()
    for xb, tb, eb in loader:
        loss = cox_ph_loss(model(xb), tb, eb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 5 == 0 or epoch == 1:
        model.eval()
        with torch.no_grad():
            tr_loss = cox_ph_loss(model(X_tr), T_tr, E_tr).item()
            te_risk = model(X_te)
            te_loss = cox_ph_loss(te_risk, T_te, E_te).item()
        print(f"epoch {epoch:2d} step {step:4d}  train nll {tr_loss:.4f}  test nll {te_loss:.4f}  "
              f"test C-index {concordance(te_risk, T_te, E_te):.3f}")

model.eval()
with torch.no_grad():
    c_tr = concordance(model(X_tr), T_tr, E_tr)
    c_te = concordance(model(X_te), T_te, E_te)
print(f"final C-index  train {c_tr:.3f}  test {c_te:.3f}")
