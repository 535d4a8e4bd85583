"""Multi-task model on the wine data: shared trunk, a classification head
(cultivar, cross-entropy) and a regression head (alcohol content, MSE);
script-style loop with RMSprop.

Seeded bug: the regression head returns shape (B, 1) while the target is (B,);
F.mse_loss(reg_pred, yr) silently broadcasts to (B, B) and compares every
prediction with every target in the batch, so the regression head can only
learn the batch mean.  (PyTorch emits only a UserWarning.)

Measured (30 epochs, 270 steps): buggy regression loss stays ~0.96-1.0 and
test alcohol RMSE 0.813 (target std 0.839, i.e. no better than the mean);
with reg_pred.squeeze(1): regression loss 0.33, RMSE 0.523.  The
classification head reaches test acc 1.000 in both, so the total loss still
goes down.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

SEED = 3
EPOCHS = 30
BATCH = 16
LR = 1e-3
REG_WEIGHT = 1.0

torch.manual_seed(SEED)
torch.set_num_threads(1)

# Multi-task wine model: predict the cultivar (3 classes) and the alcohol content
# (column 0) from the remaining 12 chemical measurements.
data = load_wine()
X_all, cultivar = data.data.astype(np.float32), data.target
alcohol = X_all[:, 0].copy()
X_all = X_all[:, 1:]

idx_tr, idx_te = train_test_split(np.arange(len(X_all)), test_size=0.25, random_state=SEED, stratify=cultivar)
mu, sd = X_all[idx_tr].mean(0), X_all[idx_tr].std(0)
alc_mu, alc_sd = alcohol[idx_tr].mean(), alcohol[idx_tr].std()

X = torch.tensor((X_all - mu) / sd)
y_cls = torch.tensor(cultivar)
y_reg = torch.tensor((alcohol - alc_mu) / alc_sd)


class SharedTrunkTwoHeads(nn.Module):
    def __init__(self, d_in, d_hidden=48, n_classes=3):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, d_hidden), nn.SiLU(), nn.Linear(d_hidden, d_hidden), nn.SiLU())
        self.cls_head = nn.Linear(d_hidden, n_classes)
        self.reg_head = nn.Sequential(nn.Linear(d_hidden, 16), nn.SiLU(), nn.Linear(16, 1))

    def forward(self, x):
        z = self.trunk(x)
        return self.cls_head(z), self.reg_head(z)


model = SharedTrunkTwoHeads(X.shape[1])
opt = torch.optim.RMSprop(model.parameters(), lr=LR, alpha=0.9)


def multitask_loss(logits, reg_pred, yc, yr):
    l_cls = F.cross_entropy(logits, yc)
    l_reg = F.mse_loss(reg_pred, yr)
    return l_cls + REG_WEIGHT * l_reg, l_cls, l_reg


def evaluate(idx):
    model.eval()
    with torch.no_grad():
        logits, reg = model(X[idx])
        acc = (logits.argmax(1) == y_cls[idx]).float().mean().item()
        rmse = ((reg.squeeze(1) - y_reg[idx]) ** 2).mean().sqrt().item() * alc_sd
    model.train()
    return acc, rmse


tr = torch.tensor(idx_tr)
steps = 0
for epoch in range(EPOCHS):
    perm = tr[torch.randperm(len(tr))]
    run = np.zeros(3)
    for i in range(0, len(perm), BATCH):
        b = perm[i:i + BATCH]
        logits, reg = model(X[b])
        loss, lc, lr_ = multitask_loss(logits, reg, y_cls[b], y_reg[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        run += [loss.item(), lc.item(), lr_.item()]
    if epoch % 5 == 0 or epoch == EPOCHS - 1:
        n_b = int(np.ceil(len(perm) / BATCH))
        acc, rmse = evaluate(idx_te)
        print(f"epoch {epoch:2d}  loss {run[0] / n_b:.3f} (cls {run[1] / n_b:.3f}, reg {run[2] / n_b:.3f})  "
              f"test acc {acc:.3f}  alcohol rmse {rmse:.3f}")

acc, rmse = evaluate(idx_te)
print(f"{steps} steps; test acc {acc:.3f}; alcohol RMSE {rmse:.3f} (std of target {alcohol[idx_te].std():.3f})")
