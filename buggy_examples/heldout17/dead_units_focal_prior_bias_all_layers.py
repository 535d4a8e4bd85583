"""Seeded bug (dead_units): the RetinaNet-style prior-probability bias
(-log((1-prior)/prior) = -2.44 for prior 0.08) is meant only for the final
classification layer, but _init_weights() writes it into the bias of *every*
nn.Linear, including the hidden ReLU layers. With standardised inputs and Kaiming
weights only a few first-layer pre-activations exceed +2.44, the deeper layers get
sparse inputs plus a -2.44 bias: over all 3000 samples at init, 92% of the layer-2
units and 100% of the layer-3 units never activate. With layer 3 fully dead no
gradient reaches the body, so the units never recover; only the output bias learns
the base rate.

Measured (255 AdamW steps): buggy test AUROC 0.500, AP 0.083 (= positive rate) for
the whole run, focal loss only creeping 0.132 -> 0.088; fixed (zero hidden biases,
prior bias on self.cls only) AUROC 0.913, AP 0.792, focal loss 0.065 -> 0.0002.
"""
# traindebug-expect: dead_units
import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    hidden: tuple = (128, 64, 32)
    prior: float = 0.08          # fraction of positives, used for the bias init
    gamma: float = 2.0           # focal loss focusing parameter
    alpha: float = 0.75
    lr: float = 3e-3
    weight_decay: float = 1e-4
    epochs: int = 15
    batch_size: int = 128
    seed: int = 5
    extra: dict = field(default_factory=dict)


class RareEventNet(nn.Module):
    def __init__(self, n_in, cfg: Config):
        super().__init__()
        layers, d = [], n_in
        for h in cfg.hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        self.body = nn.Sequential(*layers)
        self.cls = nn.Linear(d, 1)
        self._init_weights(cfg.prior)

    def _init_weights(self, prior):
        # RetinaNet-style prior initialisation so the initial p(positive) ~= prior
        bias_value = -math.log((1 - prior) / prior)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.constant_(m.bias, bias_value)
        nn.init.normal_(self.cls.weight, std=0.01)

    def forward(self, x):
        return self.cls(self.body(x)).squeeze(-1)


def focal_loss(logits, targets, gamma, alpha):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    a_t = alpha * targets + (1 - alpha) * (1 - targets)
    return (a_t * (1 - p_t) ** gamma * ce).mean()


def run(cfg: Config):
    torch.manual_seed(cfg.seed)
    X, y = make_classification(n_samples=3000, n_features=30, n_informative=10, n_redundant=5,
                               weights=[1 - cfg.prior], flip_y=0.01, class_sep=0.9,
                               random_state=cfg.seed)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr, dtype=torch.float32)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=cfg.batch_size, shuffle=True)

    model = RareEventNet(Xtr.shape[1], cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        tot = 0.0
        for xb, yb in loader:
            loss = focal_loss(model(xb), yb, cfg.gamma, cfg.alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
            step += 1
        if epoch % 5 == 0 or epoch == cfg.epochs - 1:
            model.eval()
            with torch.no_grad():
                s = torch.sigmoid(model(Xte)).numpy()
            print(f"epoch {epoch:2d} step {step}  focal {tot / len(ytr):.5f}  "
                  f"test AUROC {roc_auc_score(yte, s):.3f}  AP {average_precision_score(yte, s):.3f}")


if __name__ == "__main__":
    run(Config())
