"""Multi-task tabular model (categorical embeddings + numeric features) with a shared
trunk and two heads: churn classification and spend regression.  The trunk and the
heads use separate optimizers (SGD+Nesterov for the trunk, Adam for the heads).

Seeded bug (missing_zero_grad): only ``opt_heads.zero_grad()`` is called in the
loop; the trunk optimizer's gradients are never cleared, so the trunk's .grad is
the running sum of all past mini-batch gradients and the effective trunk step
grows with every iteration.

Measured (seed 11, 304 steps): buggy -> after one epoch the trunk is blown
away; final val churn BCE 0.693 / accuracy 0.515 (chance), val spend MSE 0.908
(target variance 1.0); train losses flat at 0.693 / 1.02 from epoch 3 on.
Fixed (``opt_shared.zero_grad()`` added) -> val churn BCE 0.389 / accuracy 0.820,
val spend MSE 0.087.
"""
# traindebug-expect: missing_zero_grad
import itertools

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
SEED = 11
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

# ----------------------------------------------------------------- synthetic data
N, N_NUM = 3000, 8
CARDS = {"region": 12, "plan": 5}
num = rng.normal(size=(N, N_NUM)).astype(np.float32)
cats = np.stack([rng.integers(0, c, size=N) for c in CARDS.values()], axis=1)
region_eff = rng.normal(scale=0.8, size=CARDS["region"])
plan_eff = rng.normal(scale=0.8, size=CARDS["plan"])
w_churn = rng.normal(size=N_NUM)
w_spend = rng.normal(size=N_NUM)
churn_logit = num @ w_churn * 0.7 + region_eff[cats[:, 0]] + np.tanh(num[:, 0] * num[:, 1])
churn = (rng.random(N) < 1 / (1 + np.exp(-churn_logit))).astype(np.float32)
spend = (np.sin(num @ w_spend * 0.4) * 2 + plan_eff[cats[:, 1]] + 0.3 * num[:, 2] ** 2
         + rng.normal(scale=0.3, size=N)).astype(np.float32)
spend = (spend - spend.mean()) / spend.std()

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]


def tensors(ix):
    return (torch.from_numpy(num[ix]), torch.from_numpy(cats[ix]),
            torch.from_numpy(churn[ix]), torch.from_numpy(spend[ix]))


train_dl = DataLoader(TensorDataset(*tensors(tr)), batch_size=64, shuffle=True)
val_num, val_cat, val_churn, val_spend = tensors(va)


# ----------------------------------------------------------------- model
class MultiTaskTabular(nn.Module):
    def __init__(self, cards, n_num, emb_dim=6, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, emb_dim) for c in cards)
        self.shared = nn.Sequential(
            nn.Linear(n_num + emb_dim * len(cards), hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.churn_head = nn.Linear(hidden, 1)
        self.spend_head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def trunk_parameters(self):
        return itertools.chain(self.embs.parameters(), self.shared.parameters())

    def head_parameters(self):
        return itertools.chain(self.churn_head.parameters(), self.spend_head.parameters())

    def forward(self, x_num, x_cat):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        h = self.shared(torch.cat([x_num] + e, dim=1))
        return self.churn_head(h).squeeze(1), self.spend_head(h).squeeze(1)


model = MultiTaskTabular(list(CARDS.values()), N_NUM)
opt_shared = torch.optim.SGD(model.trunk_parameters(), lr=0.03, momentum=0.9, nesterov=True)
opt_heads = torch.optim.Adam(model.head_parameters(), lr=3e-3)
TASK_WEIGHTS = {"churn": 1.0, "spend": 0.5}

for epoch in range(8):
    model.train()
    sums = {"churn": 0.0, "spend": 0.0}
    for x_num, x_cat, y_churn, y_spend in train_dl:
        opt_heads.zero_grad()
        logit, pred = model(x_num, x_cat)
        l_churn = F.binary_cross_entropy_with_logits(logit, y_churn)
        l_spend = F.mse_loss(pred, y_spend)
        loss = TASK_WEIGHTS["churn"] * l_churn + TASK_WEIGHTS["spend"] * l_spend
        loss.backward()
        opt_shared.step()
        opt_heads.step()
        sums["churn"] += l_churn.item() * len(y_churn)
        sums["spend"] += l_spend.item() * len(y_churn)
    model.eval()
    with torch.no_grad():
        logit, pred = model(val_num, val_cat)
        v_churn = F.binary_cross_entropy_with_logits(logit, val_churn).item()
        v_acc = ((logit > 0).float() == val_churn).float().mean().item()
        v_spend = F.mse_loss(pred, val_spend).item()
    n = len(tr)
    print(f"epoch {epoch}  train churn_bce {sums['churn'] / n:.4f} spend_mse {sums['spend'] / n:.4f} | "
          f"val churn_bce {v_churn:.4f} churn_acc {v_acc:.3f} spend_mse {v_spend:.4f}")
