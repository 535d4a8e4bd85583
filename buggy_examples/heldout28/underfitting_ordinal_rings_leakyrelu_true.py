"""Ordinal classifier (cumulative-link / CORAL-style head) on synthetic "severity
rings": 4-D points whose ordinal grade 0..4 is given by their distance from the
origin.  MLP trunk (4 -> 64 -> 64 -> 1 score) + 4 learned ordered thresholds,
binary cross-entropy on the K-1 cumulative targets, Adam lr 3e-3, batch 64,
25 epochs (475 steps).

Seeded bug: the trunk uses nn.LeakyReLU(True), written by analogy with the very
common nn.ReLU(True) (= inplace=True).  LeakyReLU's first positional argument is
negative_slope, so the slope becomes True == 1.0 and every "activation" is the
identity; the trunk collapses to one linear map, which cannot represent a
radial score, so the model underfits even the training set while its updates
look perfectly healthy.
Measured (fixed copy uses nn.LeakyReLU(0.01, inplace=True)): final train loss
0.588 vs 0.169, train accuracy 0.198 vs 0.813, test accuracy 0.210 vs 0.783,
test MAE 1.18 vs 0.22 grades.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

K = 5          # number of grades
D = 4


def make_rings(n):
    x = rng.normal(size=(n, D)).astype(np.float32)
    r = np.linalg.norm(x, axis=1)
    edges = np.quantile(r, [0.2, 0.4, 0.6, 0.8])
    y = np.digitize(r, edges)
    return x, y.astype(np.int64)


X, Y = make_rings(1500)
X_tr, Y_tr = torch.from_numpy(X[:1200]), torch.from_numpy(Y[:1200])
X_te, Y_te = torch.from_numpy(X[1200:]), torch.from_numpy(Y[1200:])


class OrdinalNet(nn.Module):
    def __init__(self, d_in, hidden, n_grades):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, hidden), nn.LeakyReLU(True),
            nn.Linear(hidden, hidden), nn.LeakyReLU(True),
            nn.Linear(hidden, 1),
        )
        # ordered cut points, parametrised by first cut + positive gaps
        self.first_cut = nn.Parameter(torch.tensor(-1.5))
        self.log_gaps = nn.Parameter(torch.zeros(n_grades - 2))

    def cuts(self):
        gaps = F.softplus(self.log_gaps)
        return torch.cat([self.first_cut.view(1), self.first_cut + torch.cumsum(gaps, 0)])

    def forward(self, x):
        score = self.trunk(x)               # (N, 1)
        return score - self.cuts()          # (N, K-1) logits of P(y > k)


def cumulative_targets(y, n_grades):
    ks = torch.arange(n_grades - 1)
    return (y.unsqueeze(1) > ks).float()


def predict(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


model = OrdinalNet(D, 64, K)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

n_epochs, bs = 25, 64
for epoch in range(n_epochs):
    perm = torch.randperm(len(X_tr))
    total = 0.0
    for i in range(0, len(X_tr), bs):
        idx = perm[i:i + bs]
        logits = model(X_tr[idx])
        loss = F.binary_cross_entropy_with_logits(logits, cumulative_targets(Y_tr[idx], K))
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    if epoch % 5 == 0 or epoch == n_epochs - 1:
        with torch.no_grad():
            acc_tr = (predict(model(X_tr)) == Y_tr).float().mean().item()
        print(f"epoch {epoch:2d}  train loss {total / len(X_tr):.4f}  train acc {acc_tr:.3f}")

with torch.no_grad():
    te_logits = model(X_te)
    te_loss = F.binary_cross_entropy_with_logits(te_logits, cumulative_targets(Y_te, K)).item()
    pred = predict(te_logits)
    acc = (pred == Y_te).float().mean().item()
    mae = (pred - Y_te).abs().float().mean().item()
print(f"test loss {te_loss:.4f}  test acc {acc:.3f}  test MAE {mae:.3f}")
