"""Digits MLP whose hyper-parameters come from a YAML-like config string parsed
at start-up by a tiny hand-written parser.

Seeded bug (over_regularization): the config has `weight_decay: 5e-2` (meant
5e-4) for SGD with momentum 0.9 and lr 0.05. The L2 term dominates the update,
weights are dragged towards zero every step and the network cannot fit even
the training set.

Measured (322 SGD steps): buggy train CE plateaus at ~0.82, test acc 0.76
(oscillating 0.73-0.83); fixed copy (weight_decay 5e-4) train CE 0.083,
test acc 0.967.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

CONFIG = """
# digits MLP baseline
seed: 0
data:
  test_size: 0.2
model:
  hidden: 128
  dropout: 0.1
optim:
  name: sgd
  lr: 0.05
  momentum: 0.9
  weight_decay: 5e-2
train:
  epochs: 14
  batch_size: 64
"""


def parse_config(text):
    """Tiny two-level YAML subset parser (no external dependency)."""
    cfg, section = {}, None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        key, _, val = line.strip().partition(":")
        val = val.strip()
        if not val:
            section = cfg.setdefault(key, {})
            continue
        for cast in (int, float):
            try:
                val = cast(val)
                break
            except ValueError:
                pass
        (section if raw.startswith(" ") else cfg)[key] = val
    return cfg


cfg = parse_config(CONFIG)
torch.manual_seed(cfg["seed"])
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=cfg["data"]["test_size"],
                                          random_state=cfg["seed"], stratify=y)
X_tr, X_te = (torch.tensor(a, dtype=torch.float32) for a in (X_tr, X_te))
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

m = cfg["model"]
model = nn.Sequential(
    nn.Linear(64, m["hidden"]), nn.ReLU(), nn.Dropout(m["dropout"]),
    nn.Linear(m["hidden"], m["hidden"]), nn.ReLU(), nn.Dropout(m["dropout"]),
    nn.Linear(m["hidden"], 10),
)
o = cfg["optim"]
opt = torch.optim.SGD(model.parameters(), lr=o["lr"], momentum=o["momentum"],
                      weight_decay=o["weight_decay"])

t = cfg["train"]
step = 0
for epoch in range(t["epochs"]):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(perm), t["batch_size"]):
        b = perm[i:i + t["batch_size"]]
        loss = F.cross_entropy(model(X_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        step += 1
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    if epoch % 2 == 1 or epoch == t["epochs"] - 1:
        print(f"epoch {epoch:2d} step {step} loss {tot / len(X_tr):.4f} test_acc {acc:.3f}")
