"""Highway network on a noisy concentric-circles problem (10-D input, 8 noise dims).
The carry-gate bias is initialised to -10 (the usual advice is about -1 to -3), so every
transform gate sigmoid(W x - 10) sits at ~4.5e-5, within 1e-3 of its lower bound, and the
gate gradient is scaled by sigmoid' ~ 4.5e-5. The stack behaves as a linear identity
and barely learns.
Measured (174 Adam steps): seeded bug train loss 0.696 -> 0.694 -> 0.649, test acc 0.455 / 0.453 / 0.695
at epochs 2/4/6; with carry_bias=-1.0 train loss 0.585 -> 0.017 -> 0.016, test acc 0.837 / 0.990 / 0.990.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(2)

# ---- data: concentric circles embedded in 10 dims (8 noise dims) ----
X, y = make_circles(n_samples=2400, noise=0.08, factor=0.5, random_state=0)
rng = np.random.RandomState(0)
X = np.hstack([X, 0.5 * rng.randn(len(X), 8)])
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.long)
y_te = torch.tensor(y_te, dtype=torch.long)

CFG = dict(width=32, depth=6, carry_bias=-10.0, lr=3e-3, epochs=6, batch_size=64)


class HighwayLayer(nn.Module):
    """y = T(x) * H(x) + (1 - T(x)) * x  (Srivastava et al. 2015)."""

    def __init__(self, dim, carry_bias):
        super().__init__()
        self.transform = nn.Linear(dim, dim)
        self.gate = nn.Linear(dim, dim)
        # negative gate bias -> layer starts close to the identity (carry behaviour)
        nn.init.constant_(self.gate.bias, carry_bias)

    def forward(self, x):
        h = torch.tanh(self.transform(x))
        t = torch.sigmoid(self.gate(x))
        return t * h + (1.0 - t) * x


class HighwayNet(nn.Module):
    def __init__(self, d_in, width, depth, n_classes, carry_bias):
        super().__init__()
        self.embed = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[HighwayLayer(width, carry_bias) for _ in range(depth)])
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.blocks(self.embed(x)))


model = HighwayNet(X_tr.shape[1], CFG["width"], CFG["depth"], 2, CFG["carry_bias"])
opt = torch.optim.Adam(model.parameters(), lr=CFG["lr"])

n = len(X_tr)
step = 0
for epoch in range(CFG["epochs"]):
    model.train()
    perm = torch.randperm(n)
    tot = 0.0
    for i in range(0, n, CFG["batch_size"]):
        idx = perm[i:i + CFG["batch_size"]]
        logits = model(X_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
        step += 1
    if epoch % 2 == 1 or epoch == CFG["epochs"] - 1:
        model.eval()
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch + 1:2d}  train loss {tot / n:.4f}  test acc {acc:.3f}")

print(f"optimizer steps: {step}")
