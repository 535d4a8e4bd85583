"""Multi-task network on the breast-cancer data: one shared trunk
(Linear-BatchNorm-ReLU-Dropout x2) feeding a classification head
(malignant/benign, cross-entropy) and a regression head ("worst area",
MSE), summed loss.

Seeded bug (wrong_mode): `evaluate()` never switches the model to eval mode, so
validation runs with dropout (p=0.5) active and BatchNorm normalising each
16-sample validation chunk with its own batch statistics (and overwriting the
running statistics with validation data).

Measured: final val accuracy 0.924, val regression MSE 0.187.  Fixed copy
(model.eval() in evaluate(), model.train() back in the training loop):
val accuracy 0.953, val regression MSE 0.028.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# Task A: malignant vs benign (classification)
# Task B: regress "worst area" (standardised) from the remaining features
data = load_breast_cancer()
X_all = data.data.astype(np.float32)
target_col = list(data.feature_names).index("worst area")
reg_target = X_all[:, target_col].copy()
X_all = np.delete(X_all, [target_col, list(data.feature_names).index("mean area"),
                          list(data.feature_names).index("area error")], axis=1)
y_cls = data.target.astype(np.int64)

X_tr, X_va, yc_tr, yc_va, yr_tr, yr_va = train_test_split(
    X_all, y_cls, reg_target, test_size=0.3, random_state=0, stratify=y_cls)
sx = StandardScaler().fit(X_tr)
X_tr, X_va = sx.transform(X_tr).astype(np.float32), sx.transform(X_va).astype(np.float32)
mu, sd = yr_tr.mean(), yr_tr.std()
yr_tr, yr_va = (yr_tr - mu) / sd, (yr_va - mu) / sd


class MultiTaskNet(nn.Module):
    def __init__(self, d_in, d_hid=128):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, d_hid), nn.BatchNorm1d(d_hid), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(d_hid, d_hid), nn.BatchNorm1d(d_hid), nn.ReLU(), nn.Dropout(0.5),
        )
        self.cls_head = nn.Linear(d_hid, 2)
        self.reg_head = nn.Linear(d_hid, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.cls_head(h), self.reg_head(h).squeeze(-1)


model = MultiTaskNet(X_tr.shape[1])
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
ce, mse = nn.CrossEntropyLoss(), nn.MSELoss()
lam = 0.5

Xt, yct, yrt = map(torch.from_numpy, (X_tr, yc_tr, yr_tr.astype(np.float32)))
Xv, ycv, yrv = map(torch.from_numpy, (X_va, yc_va, yr_va.astype(np.float32)))


def evaluate(model, X, yc, yr, bs=16):
    correct, sq = 0, 0.0
    with torch.no_grad():
        for s in range(0, len(X), bs):
            logits, reg = model(X[s:s + bs])
            correct += (logits.argmax(1) == yc[s:s + bs]).sum().item()
            sq += ((reg - yr[s:s + bs]) ** 2).sum().item()
    return correct / len(X), sq / len(X)


bs, epochs = 32, 25
model.train()
for epoch in range(epochs):
    perm = torch.randperm(len(Xt))
    tot = 0.0
    for s in range(0, len(Xt) - bs + 1, bs):
        idx = perm[s:s + bs]
        logits, reg = model(Xt[idx])
        loss = ce(logits, yct[idx]) + lam * mse(reg, yrt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
    if epoch % 5 == 4:
        acc, vmse = evaluate(model, Xv, ycv, yrv)
        print(f"epoch {epoch:2d}  train loss {tot / (len(Xt) // bs):.4f}  val acc {acc:.3f}  val mse {vmse:.4f}")

acc, vmse = evaluate(model, Xv, ycv, yrv)
print(f"final: val acc {acc:.3f}  val reg mse {vmse:.4f}")
