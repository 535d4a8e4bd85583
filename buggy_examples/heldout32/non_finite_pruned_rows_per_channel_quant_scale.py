"""
Compression pipeline for a breast-cancer MLP (30-128-64-1, standardised features, BCE with
logits, Adam 1e-3, random batches of 32): 120 float steps, then structured pruning of the 50%
hidden units with the smallest L1 row norm (row masks on both hidden layers) followed by 200
steps of int8 quantization-aware training with per-output-channel symmetric fake quantization
and a straight-through estimator.

Seeded bug: the per-channel scale is amax(|w|, dim=1) / 127 with no lower clamp. The pruned rows
are exactly zero, so their scale is 0 and round(0 / 0) = NaN; the NaN goes through the STE into the
forward pass, the loss and every gradient, and Adam writes NaN into the weights. Forgetting the
eps clamp is easy because unpruned layers never have an all-zero channel.

Measured (seed 0, 1 thread): buggy: float phase reaches test acc 0.947, then loss = nan from the
first QAT step (step 120) on, final test loss nan, test acc 0.374 (constant prediction). Fixed
copy (scale.clamp(min=1e-8)): final train loss ~0.01, test loss 0.122, test acc 0.947.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def quantize_per_channel(w, bits=8):
    qmax = 2 ** (bits - 1) - 1
    scale = w.detach().abs().amax(dim=1, keepdim=True) / qmax
    w_q = torch.clamp(torch.round(w / scale), -qmax, qmax) * scale
    return w + (w_q - w).detach()


class PrunableLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out)
        self.register_buffer("row_mask", torch.ones(n_out, 1))
        self.quantize = False

    def forward(self, x):
        w = self.weight * self.row_mask
        if self.quantize:
            w = quantize_per_channel(w)
        return F.linear(x, w, self.bias * self.row_mask.squeeze(1))

    @torch.no_grad()
    def prune_rows(self, fraction):
        norms = self.weight.abs().sum(dim=1)
        k = int(fraction * self.out_features)
        drop = norms.argsort()[:k]
        self.row_mask[drop] = 0.0


class Net(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.l1 = PrunableLinear(d_in, 128)
        self.l2 = PrunableLinear(128, 64)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        return self.out(F.relu(self.l2(F.relu(self.l1(x))))).squeeze(-1)


data = load_breast_cancer()
X_tr, X_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=0.3, random_state=0, stratify=data.target)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_te = torch.tensor(y_te, dtype=torch.float32)

model = Net(X_tr.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def run_phase(name, n_steps, step0):
    for step in range(step0, step0 + n_steps):
        idx = torch.randint(0, len(X_tr), (32,))
        loss = F.binary_cross_entropy_with_logits(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 40 == 0:
            with torch.no_grad():
                logits = model(X_te)
                acc = ((logits > 0).float() == y_te).float().mean().item()
            print(f"[{name}] step {step:3d} loss {loss.item():.4f} test_acc {acc:.3f}")
    return step0 + n_steps


step = run_phase("float", 120, 0)
for layer in (model.l1, model.l2):
    layer.prune_rows(0.5)
    layer.quantize = True
print(f"pruned 50% of hidden units, switching to int8 QAT")
step = run_phase("qat", 200, step)

with torch.no_grad():
    logits = model(X_te)
    test_loss = F.binary_cross_entropy_with_logits(logits, y_te).item()
    acc = ((logits > 0).float() == y_te).float().mean().item()
print(f"final pruned+int8 model: test_loss {test_loss:.4f} test_acc {acc:.3f}")
