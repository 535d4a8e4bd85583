"""Nonlinear regression (sklearn make_friedman1) with a fixed random-Fourier-
feature layer feeding a small trainable MLP; linear warm-up + cosine decay
schedule; per-epoch metrics kept in a history dict.

Clean control.  Patterns a naive detector might misread:
  * the learning rate starts at lr/30 (warm-up) and the cosine schedule drives it
    to exactly 0 on the last step -- intended annealing, not a rate that is too
    low (most of the 348 steps run at 1e-3..3e-3);
  * `proj` (the random-feature projection) is deliberately frozen with
    requires_grad_(False) and left out of the optimizer: it gets no gradient
    and never changes, by design;
  * cos() features are bounded in [-1, 1] and often near the bounds.

Measured (12 epochs, 348 steps): standardised train MSE 0.774 -> 0.048, test
MSE 0.309 -> 0.062 (test R^2 0.938), test RMSE 1.24 in original units vs.
target std 5.24 (noise std 0.5).
"""
# traindebug-expect: clean
import math
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, y = make_friedman1(n_samples=1200, n_features=10, noise=0.5, random_state=0)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
xs = StandardScaler().fit(X_tr)
y_mu, y_sd = y_tr.mean(), y_tr.std()
to_t = lambda a: torch.as_tensor(a, dtype=torch.float32)
X_tr, X_te = to_t(xs.transform(X_tr)), to_t(xs.transform(X_te))
y_tr_n, y_te_n = to_t((y_tr - y_mu) / y_sd), to_t((y_te - y_mu) / y_sd)


class RFFRegressor(nn.Module):
    """Fixed random Fourier features (an RBF-kernel approximation) + small trainable MLP."""

    def __init__(self, d_in, n_feat=256, gamma=0.05):
        super().__init__()
        self.proj = nn.Linear(d_in, n_feat)
        with torch.no_grad():
            self.proj.weight.normal_(0.0, math.sqrt(2 * gamma))
            self.proj.bias.uniform_(0.0, 2 * math.pi)
        self.proj.requires_grad_(False)          # the random features stay fixed
        self.mlp = nn.Sequential(nn.Linear(n_feat + d_in, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        phi = math.sqrt(2.0 / self.proj.out_features) * torch.cos(self.proj(x))
        return self.mlp(torch.cat([phi, x], dim=1)).squeeze(-1)


model = RFFRegressor(X_tr.shape[1])
trainable = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(trainable, lr=3e-3, weight_decay=1e-2)

bs, epochs = 32, 12
steps_per_epoch = math.ceil(len(X_tr) / bs)
total, warmup = epochs * steps_per_epoch, 30


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    prog = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * prog))


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
loss_fn = nn.MSELoss()
history = {"train_mse": [], "test_mse": [], "lr": []}
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for s in range(0, len(X_tr), bs):
        idx = perm[s:s + bs]
        loss = loss_fn(model(X_tr[idx]), y_tr_n[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        te = loss_fn(model(X_te), y_te_n).item()
    history["train_mse"].append(tot / len(X_tr))
    history["test_mse"].append(te)
    history["lr"].append(opt.param_groups[0]["lr"])
    if epoch % 3 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d}  lr {history['lr'][-1]:.2e}  train mse {history['train_mse'][-1]:.3f}  "
              f"test mse {te:.3f}  (test R^2 {1 - te:.3f})")

with torch.no_grad():
    pred = model(X_te).numpy() * y_sd + y_mu
print(f"test RMSE in original units: {np.sqrt(np.mean((pred - y_te) ** 2)):.2f}  (target std {y_te.std():.2f}, noise std 0.5)")
