"""Binary risk classifier on the breast-cancer data with a hand-written class-weighted BCE.

Seeded bug: the model returns sigmoid probabilities and weighted_bce() takes torch.log(p) and
torch.log(1 - p) without clamping. Once the (nearly separable) data drive a logit past ~17,
p rounds to exactly 1.0 in float32, log(1 - p) = -inf, and (1 - target) * -inf = 0 * -inf = NaN;
the NaN gradient is then written into every parameter by Adam.
Measured effect: training looks fine up to epoch 8 (loss 0.026, val acc 0.982); the loss becomes
NaN during epoch 9 (~step 135 of 300), all parameters become NaN and val acc drops to 0.368
(every prediction negative). Fixed (p.clamp(1e-7, 1 - 1e-7), or BCE-with-logits): final loss
0.006, val acc 0.982.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1)

X, y = load_breast_cancer(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=1)
scaler = StandardScaler()
X_tr = torch.tensor(scaler.fit_transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_va = torch.tensor(y_va, dtype=torch.float32)

pos_weight = (y_tr == 0).sum() / (y_tr == 1).sum()


class RiskNet(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.logit = nn.Linear(32, 1)

    def forward(self, x):
        return torch.sigmoid(self.logit(self.body(x))).squeeze(-1)


def weighted_bce(p, target, w_pos):
    # class-weighted binary cross-entropy
    loss = -(w_pos * target * torch.log(p) + (1 - target) * torch.log(1 - p))
    return loss.mean()


model = RiskNet(X_tr.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
batch_size = 32
history = []
for epoch in range(20):
    model.train()
    perm = torch.randperm(len(X_tr))
    losses = []
    for i in range(0, len(X_tr), batch_size):
        idx = perm[i:i + batch_size]
        opt.zero_grad()
        p = model(X_tr[idx])
        loss = weighted_bce(p, y_tr[idx], pos_weight)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        acc = ((model(X_va) > 0.5).float() == y_va).float().mean().item()
    history.append(np.mean(losses))
    print(f"epoch {epoch:2d} loss {np.mean(losses):.4f} val_acc {acc:.3f}")
