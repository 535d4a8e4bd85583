"""Log-link Poisson regression of event counts over a 2-D region (plus 4 covariates), PoissonNLLLoss.

Seeded bug: the model is a single nn.Linear (a plain Poisson GLM), but the log-rate is a strongly
non-linear checkerboard-like function of the two location coordinates (sin(2.5 x) * cos(2.5 y)).
A linear log-rate cannot represent it, so training plateaus almost at the intercept-only fit although
gradients and updates are perfectly healthy.
Measured after 320 steps: val mean deviance 2.287 vs null 2.378 (3.8% explained); train Poisson nll
about 2.19. Same data with a 64-64 tanh MLP (fixed copy): deviance 1.372 (42% explained), nll about 1.93.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# synthetic event counts over a 2-D region (e.g. incidents per grid cell) plus 4 weak covariates
n = 5000
loc = np.random.uniform(-1.5, 1.5, size=(n, 2))
cov = np.random.randn(n, 4)
log_rate = 0.5 + 1.5 * np.sin(2.5 * loc[:, 0]) * np.cos(2.5 * loc[:, 1]) + 0.2 * cov[:, 0]
counts = np.random.poisson(np.exp(log_rate))
Xn = np.concatenate([loc, cov], axis=1).astype(np.float32)
X = torch.tensor(Xn)
Y = torch.tensor(counts, dtype=torch.float32)
Xtr, Ytr, Xva, Yva = X[:4000], Y[:4000], X[4000:], Y[4000:]

# log-link Poisson regression
model = nn.Linear(6, 1)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.PoissonNLLLoss(log_input=True, full=True)

step = 0
for epoch in range(10):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 128):
        idx = perm[i:i + 128]
        loss = loss_fn(model(Xtr[idx]).squeeze(-1), Ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  poisson nll {loss.item():.4f}")


def deviance(mu, y):
    return 2 * (torch.xlogy(y, y / mu) - (y - mu)).mean()


with torch.no_grad():
    mu = model(Xva).squeeze(-1).exp()
    null_mu = torch.full_like(Yva, Ytr.mean().item())
    d_model, d_null = deviance(mu, Yva), deviance(null_mu, Yva)
    print(f"val mean deviance {d_model.item():.3f}  null deviance {d_null.item():.3f}  "
          f"explained {1 - (d_model / d_null).item():.3f}  steps {step}")
