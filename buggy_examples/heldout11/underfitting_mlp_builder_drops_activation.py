"""Two-moons classifier built with a small MLP-builder helper, evaluated with an EMA copy.

Seeded bug (underfitting): build_mlp() takes an `act` argument but never inserts the
activation between the Linear layers, so the 3x64 "MLP" collapses to a single affine
map and cannot separate the moons; gradients and updates are perfectly healthy.

Measured (20 epochs, 340 AdamW steps): train loss plateaus at 0.230, EMA val loss 0.309,
EMA val acc 0.860.  With the activation inserted: train loss 0.0074, EMA val loss 0.018,
EMA val acc 0.996.
"""
# traindebug-expect: underfitting
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def build_mlp(d_in, widths, d_out, act=nn.SiLU, dropout=0.0):
    layers = []
    for w in widths:
        layers.append(nn.Linear(d_in, w))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        d_in = w
    layers.append(nn.Linear(d_in, d_out))
    return nn.Sequential(*layers)


class EMA:
    def __init__(self, model, decay=0.98):
        self.decay = decay
        self.shadow = copy.deepcopy(model).eval()
        for p in self.shadow.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        for s, p in zip(self.shadow.parameters(), model.parameters()):
            s.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)


X, y = make_moons(n_samples=1500, noise=0.12, random_state=0)
X = (X - X.mean(0)) / X.std(0)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
X_tr, X_va = map(lambda a: torch.tensor(a, dtype=torch.float32), (X_tr, X_va))
y_tr, y_va = map(lambda a: torch.tensor(a, dtype=torch.long), (y_tr, y_va))

loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr, y_tr), batch_size=64,
                                     shuffle=True, generator=torch.Generator().manual_seed(0))

model = build_mlp(2, [64, 64, 64], 2, act=nn.SiLU)
ema = EMA(model)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
EPOCHS = 20
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * len(loader))

for epoch in range(EPOCHS):
    model.train()
    run, n = 0.0, 0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        ema.update(model)
        run += loss.item() * len(yb)
        n += len(yb)
    if epoch % 4 == 0 or epoch == EPOCHS - 1:
        with torch.no_grad():
            va_out = ema.shadow(X_va)
            va_loss = F.cross_entropy(va_out, y_va).item()
            va_acc = (va_out.argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch:2d} train_loss={run / n:.4f} ema_val_loss={va_loss:.4f} ema_val_acc={va_acc:.3f}")
