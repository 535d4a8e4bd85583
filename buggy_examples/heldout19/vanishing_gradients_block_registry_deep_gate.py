"""Seeded bug: the activation registry maps "silu" to nn.Sigmoid instead of nn.SiLU, so the
10-block MLP built from the config is a deep stack of plain sigmoids (default PyTorch init).
Gradients shrink by roughly 4x per block; the first blocks get ~1e-6 of the head's gradient
and the model barely moves from chance.
Measured (seed 0, 300 steps): buggy final train loss 0.693, val acc 0.495;
fixed (nn.SiLU) final train loss 0.179, val acc 0.920.
"""
# traindebug-expect: vanishing_gradients
import argparse
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)

ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.Sigmoid,
    "tanh": nn.Tanh,
}


def dense_block(d_in, d_out, act, dropout=0.0):
    layers = [nn.Linear(d_in, d_out), ACTIVATIONS[act]()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def bottleneck_block(d_in, d_out, act, dropout=0.0):
    mid = max(d_out // 2, 4)
    return nn.Sequential(nn.Linear(d_in, mid), ACTIVATIONS[act](), nn.Linear(mid, d_out), ACTIVATIONS[act]())


BLOCKS = {"dense": dense_block, "bottleneck": bottleneck_block}


def build(spec, d_in, n_out, act):
    mods, d = [], d_in
    for kind, width in spec:
        mods.append(BLOCKS[kind](d, width, act))
        d = width
    mods.append(nn.Linear(d, n_out))
    return nn.Sequential(*mods)


p = argparse.ArgumentParser()
p.add_argument("--act", default="silu")
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--steps", type=int, default=300)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()

torch.manual_seed(args.seed)
X, y = make_classification(n_samples=2400, n_features=20, n_informative=12, n_redundant=4,
                           n_classes=2, class_sep=1.0, random_state=args.seed)
X = StandardScaler().fit_transform(X).astype(np.float32)
Xtr, ytr = torch.from_numpy(X[:2000]), torch.from_numpy(y[:2000]).float()
Xva, yva = torch.from_numpy(X[2000:]), torch.from_numpy(y[2000:]).float()

spec = [("dense", 64)] * 4 + [("bottleneck", 64)] * 3 + [("dense", 32)] * 3
model = build(spec, 20, 1, args.act)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
crit = nn.BCEWithLogitsLoss()

g = torch.Generator().manual_seed(args.seed)
hist = []
for step in range(1, args.steps + 1):
    idx = torch.randint(0, len(Xtr), (args.batch,), generator=g)
    loss = crit(model(Xtr[idx]).squeeze(-1), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    hist.append(loss.item())
    if step % 100 == 0:
        print(f"step {step:4d}  loss {np.mean(hist[-50:]):.4f}")

model.eval()
with torch.no_grad():
    tr_loss = crit(model(Xtr).squeeze(-1), ytr).item()
    acc = ((model(Xva).squeeze(-1) > 0).float() == yva).float().mean().item()
print(f"final train loss {tr_loss:.4f}  val acc {acc:.3f}")
