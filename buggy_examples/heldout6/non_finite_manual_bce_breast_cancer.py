"""Breast-cancer MLP classifier with a custom Dataset/DataLoader, AdamW, sigmoid
output and a hand-written class-weighted binary cross-entropy.

Seeded bug (non_finite): weighted_bce takes torch.log(p) and torch.log(1 - p)
of the sigmoid output without clamping. Once the (nearly separable) model gets
confident, sigmoid rounds to exactly 1.0 in float32 for some sample; then
log(1 - p) = -inf and (1 - y) * -inf = 0 * -inf = NaN (and the gradient is
NaN too), which poisons every parameter after the AdamW step.
Measured: healthy until then (train loss 0.50 -> 0.05, test acc 0.965 at
step 60), first NaN loss at step 85; from then on loss NaN and test accuracy
0.368 (all one class) until the end (step 150).
Fixed (p.clamp(1e-7, 1 - 1e-7), or BCEWithLogitsLoss): train loss 0.024,
test accuracy 0.974 after 150 steps.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, Dataset

SEED = 5
torch.manual_seed(SEED)
np.random.seed(SEED)


class TumourDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.as_tensor(X, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class Classifier(nn.Module):
    def __init__(self, n_in, hidden=(64, 32)):
        super().__init__()
        dims = (n_in,) + tuple(hidden)
        self.body = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(dims[-1], 1)

    def forward(self, x):
        for layer in self.body:
            x = torch.relu(layer(x))
        return torch.sigmoid(self.out(x)).squeeze(-1)


def weighted_bce(p, y, pos_weight=1.0):
    """Binary cross-entropy with optional up-weighting of the positive class."""
    return -(pos_weight * y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


data = load_breast_cancer()
X_tr, X_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=0.2,
                                          random_state=SEED, stratify=data.target)
scaler = StandardScaler().fit(X_tr)
train_dl = DataLoader(TumourDataset(scaler.transform(X_tr), y_tr), batch_size=32, shuffle=True)
X_te_t = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_te_t = torch.tensor(y_te, dtype=torch.float32)

model = Classifier(X_tr.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
pos_weight = float((y_tr == 0).sum() / (y_tr == 1).sum())

step = 0
for epoch in range(10):
    model.train()
    epoch_loss = []
    for xb, yb in train_dl:
        p = model(xb)
        loss = weighted_bce(p, yb, pos_weight)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss.append(loss.item())
        step += 1
    model.eval()
    with torch.no_grad():
        p_te = model(X_te_t)
        acc = ((p_te > 0.5).float() == y_te_t).float().mean().item()
        te_loss = weighted_bce(p_te, y_te_t, pos_weight).item()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1:2d} step {step:4d} train {np.mean(epoch_loss):.4f} "
              f"test {te_loss:.4f} acc {acc:.3f}")
