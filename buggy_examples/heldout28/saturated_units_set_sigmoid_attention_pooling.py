"""
Set classifier with sigmoid-gated attention pooling (multiple-instance style).
Each example is a set of 24 elements with 6 features; three "relevant"
elements carry a marker in feature 0 and the label is the sign of the mean of
feature 1 over those relevant elements (the 21 distractors have random
feature 1). Element encoder phi: MLP 6 -> 64 -> 64 (ReLU); keys, values:
Linear(64, 64); a learned query vector q; gate_i = sigmoid(q.k_i * scale);
pooled = sum(gate_i v_i) / sum(gate_i); head MLP -> 2 classes.
AdamW lr 2e-3, wd 1e-4, batch 64, 9 epochs (342 steps), dataclass config.

Seeded bug: the attention scale is written `d ** 0.5` instead of
`d ** -0.5`, so the scores are multiplied by 8 instead of divided by 8
(a factor of 64 too large). The gate logits have std ~26 and 98.6% of the
sigmoid gates sit below 0.01 or above 0.99 with derivative ~0, so the gates cannot learn to pick out the
relevant elements and stay essentially at their random initial pattern.

Measured (seed 0, 1 thread): buggy final test accuracy 0.759 (train loss
0.467); fixed copy (d ** -0.5) test accuracy 0.962 (train loss 0.046).
"""
# traindebug-expect: saturated_units
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Config:
    n_sets: int = 2400
    set_size: int = 24
    n_relevant: int = 3
    n_feat: int = 6
    d: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch: int = 64
    epochs: int = 9


def make_sets(cfg, n, gen):
    x = torch.randn(n, cfg.set_size, cfg.n_feat, generator=gen)
    x[:, :, 0] = torch.randn(n, cfg.set_size, generator=gen) * 0.5
    rel = torch.rand(n, cfg.set_size, generator=gen).argsort(dim=1)[:, :cfg.n_relevant]
    rows = torch.arange(n).unsqueeze(1)
    x[rows, rel, 0] = 2.5
    y = (x[rows, rel, 1].mean(1) > 0).long()
    return x, y


class GatedSetPool(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.d
        self.phi = nn.Sequential(nn.Linear(cfg.n_feat, d), nn.ReLU(), nn.Linear(d, d), nn.ReLU())
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)
        self.query = nn.Parameter(torch.randn(d))
        self.scale = d ** 0.5
        self.head = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 2))

    def forward(self, x):
        h = self.phi(x)
        gate = torch.sigmoid((self.key(h) @ self.query) * self.scale)
        pooled = (gate.unsqueeze(-1) * self.value(h)).sum(1) / (gate.sum(1, keepdim=True) + 1e-6)
        return self.head(pooled)


cfg = Config()
gen = torch.Generator().manual_seed(0)
x_tr, y_tr = make_sets(cfg, cfg.n_sets, gen)
x_te, y_te = make_sets(cfg, 800, gen)

model = GatedSetPool(cfg)
opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

for epoch in range(cfg.epochs):
    model.train()
    perm = torch.randperm(cfg.n_sets)
    tot = 0.0
    for i in range(0, cfg.n_sets, cfg.batch):
        idx = perm[i:i + cfg.batch]
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(x_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1}/{cfg.epochs}  train loss {tot / cfg.n_sets:.4f}  test acc {acc:.3f}")

print(f"final test accuracy {acc:.3f}")
