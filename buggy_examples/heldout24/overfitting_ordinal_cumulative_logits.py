"""Ordinal regression (proportional-odds / cumulative-logit head with ordered learnable
cutpoints) for a 5-point rating from survey-style features: 120 training rows, 100
features of which only 6 are informative, a 256-256 ReLU MLP scorer trained for 100
epochs with Adam, no weight decay, no early stopping, and the final weights are kept.

Seeded bug (overfitting): the over-parameterised scorer memorises the tiny training set.
Train NLL keeps falling (train MAE 0 from epoch ~15) while validation NLL rises steadily
after epoch 12.

Measured: train NLL 1.57 -> 0.119; val NLL best 1.388 at epoch 12, final 2.169; val MAE
0.777. A copy with early stopping (keep the best-val checkpoint) ends at val NLL 1.388.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)

N_TRAIN, N_VAL, N_FEAT, N_LEVELS = 120, 400, 100, 5

# survey-style data: a few informative answers, many irrelevant ones; 5-point rating target
w_true = np.zeros(N_FEAT)
w_true[:6] = rng.normal(0, 1, 6)
X = rng.normal(size=(N_TRAIN + N_VAL, N_FEAT)).astype(np.float32)
latent = X @ w_true + 0.4 * np.sin(2 * X[:, 0]) + rng.logistic(0, 0.6, len(X))
cuts = np.quantile(latent, [0.15, 0.4, 0.65, 0.88])
y = np.digitize(latent, cuts)
Xtr, ytr = torch.from_numpy(X[:N_TRAIN]), torch.from_numpy(y[:N_TRAIN])
Xva, yva = torch.from_numpy(X[N_TRAIN:]), torch.from_numpy(y[N_TRAIN:])


class CumulativeLogit(nn.Module):
    """Proportional-odds head: P(y > k | x) = sigmoid(f(x) - theta_k), theta increasing."""

    def __init__(self, d, hidden, n_levels):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                               nn.Linear(hidden, 1))
        self.theta0 = nn.Parameter(torch.tensor(-3.0))
        self.log_gaps = nn.Parameter(torch.full((n_levels - 2,), 1.85))  # softplus -> ~2.0

    def thresholds(self):
        gaps = F.softplus(self.log_gaps) + 1e-3
        return torch.cat([self.theta0.view(1), self.theta0 + torch.cumsum(gaps, 0)])

    def forward(self, x):
        return self.f(x) - self.thresholds()  # (B, K-1) cumulative logits


def ordinal_nll(cum_logits, y):
    p_gt = torch.sigmoid(cum_logits)
    ones = torch.ones(len(y), 1)
    zeros = torch.zeros(len(y), 1)
    p_ge = torch.cat([ones, p_gt, zeros], 1)           # P(y >= k) for k = 0..K
    probs = (p_ge[:, :-1] - p_ge[:, 1:]).clamp_min(1e-7)
    return -torch.log(probs.gather(1, y.view(-1, 1))).mean()


def predict(cum_logits):
    return (cum_logits > 0).sum(1)


model = CumulativeLogit(N_FEAT, 256, N_LEVELS)
cutpoints = [model.theta0, model.log_gaps]
opt = torch.optim.Adam([{"params": model.f.parameters()},
                        {"params": cutpoints, "lr": 2e-2}], lr=1e-3)
EPOCHS, BS = 100, 40
best = (float("inf"), -1)
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(N_TRAIN)
    for i in range(0, N_TRAIN, BS):
        b = perm[i:i + BS]
        loss = ordinal_nll(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        tr_out, va_out = model(Xtr), model(Xva)
        tr_nll, va_nll = ordinal_nll(tr_out, ytr).item(), ordinal_nll(va_out, yva).item()
        tr_mae = (predict(tr_out) - ytr).abs().float().mean().item()
        va_mae = (predict(va_out) - yva).abs().float().mean().item()
    best = min(best, (va_nll, epoch))
    if epoch % 10 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:3d} train_nll {tr_nll:.4f} train_mae {tr_mae:.3f} "
              f"val_nll {va_nll:.4f} val_mae {va_mae:.3f}")
print(f"best val_nll {best[0]:.4f} at epoch {best[1]}; final val_nll {va_nll:.4f} val_mae {va_mae:.3f}")
print("thresholds:", np.round(model.thresholds().detach().numpy(), 2))
