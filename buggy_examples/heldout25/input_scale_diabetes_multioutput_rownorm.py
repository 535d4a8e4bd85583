"""Multi-output regression (s5, s6, disease progression) on sklearn's load_diabetes in
raw clinical units (scaled=False), with a shared trunk and one head per target, Adagrad.

Seeded bug (input_scale): normalize() standardises along axis=1, i.e. each patient's
row across features of completely different units (sex 1/2, age ~50, cholesterol ~190),
instead of each feature across patients. The first layer sees features with wildly
different means and tiny within-feature spreads (the small-unit features are squashed
to nearly constants). Targets are standardised correctly.
Measured (280 steps): train MSE 0.528, test MSE 0.562, R2 s5/s6/progression =
0.75/0.08/0.23. Fixed copy (column-wise train statistics): train MSE 0.301,
test MSE 0.484, R2 = 0.98/0.06/0.31.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes

torch.set_num_threads(1)
torch.manual_seed(2)
rng = np.random.default_rng(2)

# raw clinical units: age, sex, bmi, bp, s1..s6 ; plus disease progression target
raw = load_diabetes(scaled=False)
cols = list(raw.feature_names)
data = np.column_stack([raw.data, raw.target])
names = cols + ["progression"]

# predict lab panel + progression from demographics / basic vitals / cholesterol panel
in_cols = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4"]
out_cols = ["s5", "s6", "progression"]
X = data[:, [names.index(c) for c in in_cols]].astype(np.float32)
Y = data[:, [names.index(c) for c in out_cols]].astype(np.float32)

perm = rng.permutation(len(X))
tr, te = perm[:350], perm[350:]


def normalize(a):
    return (a - a.mean(axis=1, keepdims=True)) / (a.std(axis=1, keepdims=True) + 1e-6)


Xtr, Xte = normalize(X[tr]), normalize(X[te])
y_mu, y_sd = Y[tr].mean(0), Y[tr].std(0)
Ytr, Yte = (Y[tr] - y_mu) / y_sd, (Y[te] - y_mu) / y_sd

Xtr, Xte, Ytr, Yte = map(torch.from_numpy, (Xtr, Xte, Ytr, Yte))


class MultiHead(nn.Module):
    def __init__(self, d_in, d_out, width=64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, width), nn.GELU(), nn.Linear(width, width), nn.GELU())
        self.heads = nn.ModuleList([nn.Linear(width, 1) for _ in range(d_out)])

    def forward(self, x):
        h = self.trunk(x)
        return torch.cat([head(h) for head in self.heads], dim=1)


model = MultiHead(Xtr.shape[1], Ytr.shape[1])
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()


def r2_per_output(pred, target):
    ss_res = ((pred - target) ** 2).sum(0)
    ss_tot = ((target - target.mean(0)) ** 2).sum(0)
    return (1 - ss_res / ss_tot).tolist()


BATCH = 25
step = 0
for epoch in range(20):
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), BATCH):
        b = order[i:i + BATCH]
        loss = loss_fn(model(Xtr[b]), Ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 4 == 3:
        with torch.no_grad():
            tr_loss = loss_fn(model(Xtr), Ytr).item()
            pred = model(Xte)
            te_loss = loss_fn(pred, Yte).item()
        r2 = r2_per_output(pred, Yte)
        print(f"epoch {epoch:2d} step {step} train_mse {tr_loss:.3f} test_mse {te_loss:.3f} "
              + " ".join(f"R2[{c}]={v:.2f}" for c, v in zip(out_cols, r2)))
