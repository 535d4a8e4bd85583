"""Residual MLP on load_digits with a custom init applied through model.apply. The init
helper sets every Linear bias to -3.0 (on top of He-normal fan_out weights), so nearly all
ReLU units in the stem and residual branches are negative for every input: the ReLUs never fire and
get no gradient.
Measured (250 SGD steps): seeded bug val loss 2.3027 -> 2.3025, val acc 0.100-0.103 (chance);
with bias_init=0.01 val loss 0.175 -> 0.109, val acc 0.947 -> 0.969.
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 1
torch.manual_seed(SEED)
np.random.seed(SEED)
torch.set_num_threads(2)

digits = load_digits()
X_tr, X_va, y_tr, y_va = train_test_split(digits.data, digits.target, test_size=0.2,
                                          random_state=SEED, stratify=digits.target)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(sc.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_va = torch.tensor(y_va)


class ResBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(x)))


class ResMLP(nn.Module):
    def __init__(self, d_in, dim=64, hidden=128, n_blocks=3, n_classes=10):
        super().__init__()
        self.stem = nn.Linear(d_in, dim)
        self.blocks = nn.ModuleList([ResBlock(dim, hidden) for _ in range(n_blocks)])
        self.head = nn.Linear(dim, n_classes)

    def forward(self, x):
        h = F.relu(self.stem(x))
        for blk in self.blocks:
            h = blk(h)
        return self.head(F.relu(h))


def init_weights(m, bias_init=-1.0):
    """He init for everything that feeds a ReLU; small constant bias."""
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        nn.init.constant_(m.bias, bias_init)


def zero_last_layer(m):
    # residual branches start as identity
    if isinstance(m, ResBlock):
        nn.init.zeros_(m.fc2.weight)


model = ResMLP(X_tr.shape[1])
model.apply(lambda m: init_weights(m, bias_init=-3.0))
model.apply(zero_last_layer)

opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=250)

bs = 64
step = 0
while step < 250:
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr) - bs + 1, bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        if step % 50 == 0:
            model.eval()
            with torch.no_grad():
                va_loss = F.cross_entropy(model(X_va), y_va).item()
                va_acc = (model(X_va).argmax(1) == y_va).float().mean().item()
            model.train()
            print(f"step {step:3d}  train {loss.item():.4f}  val {va_loss:.4f}  acc {va_acc:.3f}")
        if step >= 250:
            break
