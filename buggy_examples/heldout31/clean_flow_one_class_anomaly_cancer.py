"""
One-class anomaly detection with a RealNVP-style normalizing flow on the breast-cancer data:
trained only on benign tumours (log1p then z-scored 30 features), 4 affine couplings over fixed
random permutations (SiLU MLPs, soft-clamped log-scales, zero-init output), AdamW lr 1e-3 with
weight decay 1e-2 and cosine schedule, batch 64, 180 steps; anomaly score = -log p(x), evaluated
by AUROC of malignant vs held-out benign.

Healthy control: a well-behaved density model that separates the classes it never saw.
Possible false alarm: there are no labels in the training loss and every training example is
from a single class (which a label checker could call "constant labels / extreme imbalance");
the objective is an unbounded log-density (NLL per dimension falls below the 1.42 nats of a
standard Gaussian and could go negative), and the log-det terms grow during training.

Measured (seed 0, 1 thread): train NLL 0.768 nats/dim, held-out benign NLL 0.806 nats/dim
(still decreasing), AUROC malignant vs benign 0.964. Runtime ~12 s CPU.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class Coupling(nn.Module):
    def __init__(self, dim, hidden, perm):
        super().__init__()
        self.register_buffer("perm", perm)
        self.d = dim // 2
        self.st = nn.Sequential(nn.Linear(self.d, hidden), nn.SiLU(), nn.Linear(hidden, 2 * (dim - self.d)))
        nn.init.zeros_(self.st[-1].weight)
        nn.init.zeros_(self.st[-1].bias)

    def forward(self, x):
        x = x[:, self.perm]
        a, b = x[:, :self.d], x[:, self.d:]
        log_s, t = self.st(a).chunk(2, dim=1)
        log_s = 2.0 * torch.tanh(log_s / 2.0)
        b = b * log_s.exp() + t
        return torch.cat([a, b], dim=1), log_s.sum(1)


class Flow(nn.Module):
    def __init__(self, dim, n_layers=4, hidden=32, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.layers = nn.ModuleList(Coupling(dim, hidden, torch.randperm(dim, generator=g)) for _ in range(n_layers))

    def log_prob(self, x):
        total = torch.zeros(len(x))
        for layer in self.layers:
            x, ld = layer(x)
            total = total + ld
        return total - 0.5 * (x ** 2).sum(1) - 0.5 * x.shape[1] * math.log(2 * math.pi)


data = load_breast_cancer()
X, y = data.data, data.target              # y == 1: benign
benign, malignant = X[y == 1], X[y == 0]
b_tr, b_te = train_test_split(benign, test_size=0.3, random_state=0)
log_tr = np.log1p(b_tr)
mu, sd = log_tr.mean(0), log_tr.std(0)


def prep(a):
    return torch.tensor((np.log1p(a) - mu) / sd, dtype=torch.float32)


x_tr, x_te_b, x_te_m = prep(b_tr), prep(b_te), prep(malignant)
flow = Flow(x_tr.shape[1])
optimizer = torch.optim.AdamW(flow.parameters(), lr=1e-3, weight_decay=1e-2)
steps, batch = 180, 64
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)

for step in range(1, steps + 1):
    idx = torch.randint(0, len(x_tr), (batch,))
    nll = -flow.log_prob(x_tr[idx]).mean() / x_tr.shape[1]     # nats per dimension
    optimizer.zero_grad()
    nll.backward()
    optimizer.step()
    scheduler.step()
    if step % 50 == 0:
        with torch.no_grad():
            test_nll = -flow.log_prob(x_te_b).mean().item() / x_tr.shape[1]
        print(f"step {step:4d} train_nll/dim {nll.item():.4f} held-out benign nll/dim {test_nll:.4f}")

with torch.no_grad():
    train_nll = -flow.log_prob(x_tr).mean().item() / x_tr.shape[1]
    s_b = -flow.log_prob(x_te_b).numpy()
    s_m = -flow.log_prob(x_te_m).numpy()
auc = roc_auc_score(np.r_[np.zeros(len(s_b)), np.ones(len(s_m))], np.r_[s_b, s_m])
print(f"final: train_nll/dim {train_nll:.4f} held-out benign nll/dim {s_b.mean() / x_tr.shape[1]:.4f} "
      f"anomaly AUROC (malignant vs benign) {auc:.4f}")
