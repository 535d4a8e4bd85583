"""
DeepSurv-style Cox proportional-hazards network on the breast-cancer feature table
(load_breast_cancer, 30 standardized features) with simulated right-censored follow-up times:
the true log-hazard is a nonlinear function of a handful of features, event times are
exponential, ~35% are censored. MLP 30 -> 64 -> 32 -> 1 (SELU, AlphaDropout), negative Cox
partial log-likelihood (Breslow, risk sets via a cumulative logsumexp over time-sorted
samples) computed in float64 for stability, RMSprop lr 1e-3, batch 64 (sorted inside the
loss), 30 epochs (~210 steps). Reports train loss and Harrell's C-index on a held-out split.

Seeded bug: to get the float64 loss the author wraps the network output as
torch.tensor(model(xb).squeeze(-1), dtype=torch.float64, requires_grad=True) instead of
calling .double() on it. torch.tensor copies the data into a new leaf tensor (PyTorch only
emits a UserWarning), so backward() runs happily but stops at that leaf: not one network
parameter ever receives a gradient, RMSprop skips them all, and the risk scores stay those of
the random initialisation.

Measured (seed 0, 1 thread): buggy final train Cox NLL 3.27 (flat), test C-index 0.491 at
every epoch; fixed copy (model(xb).squeeze(-1).double()): train NLL 3.01, test C-index 0.682.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def simulate_survival(X, rng):
    log_hazard = 0.8 * X[:, 0] - 0.6 * X[:, 7] + 0.5 * np.tanh(X[:, 20] * X[:, 27]) + 0.4 * X[:, 3] ** 2 / 2
    t_event = rng.exponential(1.0 / np.exp(log_hazard))
    t_cens = rng.exponential(1.6, size=len(X))
    time = np.minimum(t_event, t_cens)
    event = (t_event <= t_cens).astype(np.float64)
    return time, event


def cox_nll(risk, time, event):
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)
    return -((risk - log_risk_set) * event).sum() / event.sum().clamp(min=1.0)


def concordance_index(time, event, score):
    time, event, score = map(np.asarray, (time, event, score))
    num, den = 0.0, 0.0
    for i in np.where(event == 1)[0]:
        later = time > time[i]
        den += later.sum()
        num += (score[i] > score[later]).sum() + 0.5 * (score[i] == score[later]).sum()
    return num / den


X = StandardScaler().fit_transform(load_breast_cancer().data)
time, event = simulate_survival(X, rng)
X_tr, X_te, t_tr, t_te, e_tr, e_te = train_test_split(X, time, event, test_size=0.25, random_state=0)
X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_te, dtype=torch.float32)
t_tr, e_tr = torch.tensor(t_tr), torch.tensor(e_tr)
print(f"train {len(X_tr)}  test {len(X_te)}  censored {1 - event.mean():.2f}")

model = nn.Sequential(
    nn.Linear(30, 64), nn.SELU(), nn.AlphaDropout(0.1),
    nn.Linear(64, 32), nn.SELU(),
    nn.Linear(32, 1),
)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)

n, batch_size = len(X_tr), 64
for epoch in range(30):
    model.train()
    perm = torch.randperm(n)
    losses = []
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        risk = torch.tensor(model(X_tr[idx]).squeeze(-1), dtype=torch.float64, requires_grad=True)
        loss = cox_nll(risk, t_tr[idx], e_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    if (epoch + 1) % 6 == 0:
        model.eval()
        with torch.no_grad():
            score = model(X_te).squeeze(-1).numpy()
        cidx = concordance_index(t_te, e_te, score)
        print(f"epoch {epoch + 1:2d}  train cox nll {np.mean(losses):.4f}  test C-index {cidx:.3f}")

print(f"final: train loss {np.mean(losses):.4f}  test C-index {cidx:.3f}")
