"""Tabular MLP on breast-cancer features plus 45 pairwise feature crosses.

Seeded bug (dead_units): reset_parameters() uses small trunc_normal(std=0.02)
weights together with a constant bias of -0.5 (meant to give "sparse" ReLU
features). Pre-activations are ~N(-0.5, 0.17^2): a third of layer-1 units never
fire and all 64 layer-2 units are dead on the whole training set, so no gradient
reaches the body and the output is constant.
Measured (280 steps): buggy train loss stuck at 0.661, test acc 0.629 (majority
class), layer-2 units ever active 0.00; fixed (zero bias): train loss 0.021,
test acc 0.944, layer-2 units active 0.91.
"""
# traindebug-expect: dead_units
import itertools
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

data = load_breast_cancer()
X, y = data.data, data.target.astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(Xtr)
Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)

# pairwise crosses of the 10 "mean_*" features, then rescale the crosses
base_idx = list(range(10))
pairs = list(itertools.combinations(base_idx, 2))


def add_crosses(A):
    crosses = np.stack([A[:, i] * A[:, j] for i, j in pairs], axis=1)
    return np.concatenate([A, crosses], axis=1)


Xtr_c, Xte_c = add_crosses(Xtr), add_crosses(Xte)
cs = StandardScaler().fit(Xtr_c[:, 30:])
Xtr_c[:, 30:], Xte_c[:, 30:] = cs.transform(Xtr_c[:, 30:]), cs.transform(Xte_c[:, 30:])
Xtr_t, Xte_t = torch.tensor(Xtr_c, dtype=torch.float32), torch.tensor(Xte_c, dtype=torch.float32)
ytr_t, yte_t = torch.tensor(ytr), torch.tensor(yte)
print(f"features: {Xtr_t.shape[1]} ({len(pairs)} crosses)")


class CrossNet(nn.Module):
    def __init__(self, d_in, hidden=(128, 64)):
        super().__init__()
        layers, d = [], d_in
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.body:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.constant_(m.bias, -0.5)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


model = CrossNet(Xtr_t.shape[1])
opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=1e-4)
crit = nn.BCEWithLogitsLoss()
EPOCHS, BS = 40, 64
g = torch.Generator().manual_seed(0)
for ep in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(Xtr_t), generator=g)
    tot = 0.0
    for i in range(0, len(perm), BS):
        idx = perm[i:i + BS]
        loss = crit(model(Xtr_t[idx]), ytr_t[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    if ep % 10 == 9:
        model.eval()
        with torch.no_grad():
            logits = model(Xte_t)
            te_loss = crit(logits, yte_t).item()
            acc = ((logits > 0).float() == yte_t).float().mean().item()
        print(f"epoch {ep+1:2d} train {tot/len(perm):.4f} test {te_loss:.4f} acc {acc:.3f}")
