"""Healthy control: cosine-similarity classifier with a learned logit scale (inverse
temperature, CLIP-style) on top of GLU-style sigmoid-gated blocks, AdamW with SGDR
(CosineAnnealingWarmRestarts, T_0 = 4 epochs, T_mult = 2).

Patterns that may fool a naive detector: sigmoid gates; a learned scale that grows during
training (10 -> 17.7); and one loss spike when the scheduler warm-restarts the learning rate
from 1.5e-3 back to 1e-2 after epoch 3 (mean train loss 0.162 -> 0.197, test loss 0.283 ->
0.331), which then recovers.
Measured: first batch loss 2.14, final mean train loss 0.020, test loss 0.28, test acc 0.923
(300 optimizer steps).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class GatedBlock(nn.Module):
    """GLU-style block: value * sigmoid(gate)."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.value = nn.Linear(d_in, d_out)
        self.gate = nn.Linear(d_in, d_out)

    def forward(self, x):
        return F.gelu(self.value(x)) * torch.sigmoid(self.gate(x))


class CosineClassifier(nn.Module):
    """Prototype classifier on L2-normalised features with a learned logit scale
    (inverse temperature), as in CLIP / normalised-softmax heads."""

    def __init__(self, d_in, hidden, n_classes):
        super().__init__()
        self.encoder = nn.Sequential(GatedBlock(d_in, hidden), nn.LayerNorm(hidden),
                                     GatedBlock(hidden, hidden))
        self.prototypes = nn.Parameter(torch.randn(n_classes, hidden) * 0.1)
        self.log_scale = nn.Parameter(torch.tensor(math.log(10.0)))

    def forward(self, x):
        z = F.normalize(self.encoder(x), dim=-1)
        w = F.normalize(self.prototypes, dim=-1)
        scale = self.log_scale.exp().clamp(max=100.0)
        return scale * z @ w.t()


if __name__ == "__main__":
    torch.manual_seed(11)
    X, y = make_classification(n_samples=4000, n_features=24, n_informative=14, n_redundant=6,
                               n_classes=6, n_clusters_per_class=2, class_sep=1.5, random_state=11)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=11)
    sc = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = CosineClassifier(24, 128, 6)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(X_tr) / 128)
    # SGDR: restart every 4 epochs, then every 8
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4 * steps_per_epoch,
                                                                 T_mult=2, eta_min=1e-5)
    step = 0
    for epoch in range(12):
        model.train()
        perm = torch.randperm(len(X_tr))
        losses = []
        for i in range(0, len(X_tr), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            te_loss = F.cross_entropy(model(X_te), y_te).item()
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} lr {sched.get_last_lr()[0]:.2e} scale {model.log_scale.exp().item():6.2f} "
              f"train_loss first/last batch {losses[0]:.3f}/{losses[-1]:.3f} mean {np.mean(losses):.4f} "
              f"test_loss {te_loss:.4f} test_acc {acc:.3f}")
