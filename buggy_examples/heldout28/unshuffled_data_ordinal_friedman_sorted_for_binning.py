"""Ordinal severity grading on a synthetic nonlinear regression problem
(sklearn make_friedman1, 8 features, noise 0.5): the continuous score is cut
into 5 equal-frequency grades, and an MLP (8 -> 64 -> 64 -> 1) with a
cumulative-logit head (4 ordered cut points) predicts the grade.  Manual
mini-batching (batch 32), SGD + momentum 0.9, lr 0.05, 10 epochs (310 steps);
reports test loss, accuracy and mean absolute grade error.

Seeded bug: to compute equal-frequency grade boundaries the author sorts the
training rows by the target (`order = np.argsort(t_tr)`) and assigns grades by
rank, then iterates over the arrays in that order with `X_tr[i:i+bs]`.  Every
mini-batch therefore holds a single grade and each epoch sweeps from the
mildest to the most severe cases, so the score and cut points are dragged back
and forth instead of following the overall gradient.
Measured (fixed copy draws a fresh permutation each epoch): final test loss
0.209 vs 0.167, test accuracy 0.719 vs 0.774, test MAE 0.290 vs 0.231,
last-epoch train loss 0.229 vs 0.168.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(2)

N_GRADES = 5
X, t = make_friedman1(n_samples=1400, n_features=8, noise=0.5, random_state=2)
X_tr, X_te, t_tr, t_te = train_test_split(X, t, test_size=0.3, random_state=2)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

# equal-frequency grades from the training targets
order = np.argsort(t_tr)
X_tr, t_tr = X_tr[order], t_tr[order]
g_tr = (np.arange(len(t_tr)) * N_GRADES) // len(t_tr)
edges = [t_tr[np.searchsorted(g_tr, k)] for k in range(1, N_GRADES)]
g_te = np.searchsorted(edges, t_te, side="right")

X_tr = torch.tensor(X_tr, dtype=torch.float32)
X_te = torch.tensor(X_te, dtype=torch.float32)
g_tr = torch.tensor(g_tr)
g_te = torch.tensor(g_te)


class CumulativeLogitModel(nn.Module):
    def __init__(self, d_in, n_grades, hidden=64):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(),
                                   nn.Linear(hidden, hidden), nn.ReLU(),
                                   nn.Linear(hidden, 1))
        self.cuts = nn.Parameter(torch.linspace(-1.5, 1.5, n_grades - 1))

    def forward(self, x):
        cuts, _ = torch.sort(self.cuts)
        return self.score(x) - cuts


def ordinal_loss(logits, g):
    target = (g.unsqueeze(1) > torch.arange(logits.shape[1])).float()
    return F.binary_cross_entropy_with_logits(logits, target)


def grade(logits):
    return (logits > 0).sum(1)


model = CumulativeLogitModel(X_tr.shape[1], N_GRADES)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
bs, n_epochs = 32, 10

for epoch in range(n_epochs):
    model.train()
    tot = 0.0
    for i in range(0, len(X_tr), bs):
        xb, gb = X_tr[i:i + bs], g_tr[i:i + bs]
        loss = ordinal_loss(model(xb), gb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        lo = model(X_te)
        te_loss = ordinal_loss(lo, g_te).item()
        acc = (grade(lo) == g_te).float().mean().item()
        mae = (grade(lo) - g_te).abs().float().mean().item()
    if epoch % 2 == 0 or epoch == n_epochs - 1:
        print(f"epoch {epoch:2d}  train loss {tot / len(X_tr):.4f}  test loss {te_loss:.4f}  "
              f"acc {acc:.3f}  MAE {mae:.3f}")

print(f"final: test loss {te_loss:.4f}  test accuracy {acc:.3f}  test MAE {mae:.3f}")
