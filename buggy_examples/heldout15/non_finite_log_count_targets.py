"""Count regression (Poisson-like synthetic counts with many zeros) trained with a small
callback registry (warmup, history). The loss fits the log of the counts with torch.log(target)
instead of log1p, so every batch holding a zero count has a -inf target: the loss is inf, the gradients
become inf/NaN at the first step, and Adam writes NaN into all weights.
Measured: seeded bug train loss nan and val rmse nan from epoch 10 to 30;
fixed (log1p, 30 epochs) train loss 0.172 -> 0.156, best val rmse 2.91 (predict-mean baseline 12.99).
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(2)

# synthetic count data: e.g. weekly support tickets per account
rng = np.random.RandomState(7)
n, d = 1200, 12
feats = rng.randn(n, d)
w_true = rng.randn(d) * 0.35
counts = rng.poisson(np.exp(1.2 + feats @ w_true)).astype(np.float64)
X_tr, X_va, y_tr, y_va = train_test_split(feats, counts, test_size=0.2, random_state=7)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(sc.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)[:, None]
y_va = torch.tensor(y_va, dtype=torch.float32)[:, None]


# ---------------------------------------------------------------- callbacks
class Callback:
    def on_train_begin(self, state): pass
    def on_step_end(self, state): pass
    def on_epoch_end(self, state): pass


class CallbackList:
    def __init__(self, cbs):
        self.cbs = list(cbs)

    def __getattr__(self, name):
        def fire(state):
            for cb in self.cbs:
                getattr(cb, name)(state)
        return fire


class LinearWarmup(Callback):
    def __init__(self, warmup_steps):
        self.warmup = warmup_steps

    def on_train_begin(self, state):
        self.base = [g["lr"] for g in state["opt"].param_groups]

    def on_step_end(self, state):
        f = min(1.0, (state["step"] + 1) / self.warmup)
        for g, lr in zip(state["opt"].param_groups, self.base):
            g["lr"] = lr * f


class History(Callback):
    def __init__(self, every):
        self.every = every
        self.rows = []

    def on_epoch_end(self, state):
        model = state["model"]
        with torch.no_grad():
            pred = model(X_va).exp()
            rmse = F.mse_loss(pred, y_va).sqrt().item()
        self.rows.append((state["epoch"], state["epoch_loss"], rmse))
        if state["epoch"] % self.every == 0:
            print(f"epoch {state['epoch']:3d}  train loss {state['epoch_loss']:.4f}  val rmse {rmse:.2f}")


# ---------------------------------------------------------------- model
class CountRegressor(nn.Module):
    """Predicts the log of the expected count."""

    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


def log_mse(log_pred, target):
    # counts are heavy-tailed: fit them in log space
    return F.mse_loss(log_pred, torch.log(target))


def fit(model, epochs, bs, lr, callbacks):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    state = {"model": model, "opt": opt, "step": 0}
    cbs = CallbackList(callbacks)
    cbs.on_train_begin(state)
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(X_tr))
        total = 0.0
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            loss = log_mse(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            state["step"] += 1
            cbs.on_step_end(state)
        state["epoch"] = epoch
        state["epoch_loss"] = total / len(X_tr)
        model.eval()
        cbs.on_epoch_end(state)
    return state


model = CountRegressor(X_tr.shape[1])
hist = History(every=10)
fit(model, epochs=30, bs=64, lr=3e-3, callbacks=[LinearWarmup(50), hist])
best = min(r[2] for r in hist.rows)
print(f"best val rmse {best:.2f}  (predict-mean baseline {y_va.sub(y_tr.mean()).pow(2).mean().sqrt():.2f})")
