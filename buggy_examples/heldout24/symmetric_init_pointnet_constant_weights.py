"""PointNet-style classifier (shared per-point MLP as 1x1 Conv1d + BatchNorm, global max
pooling, MLP head) for generated point clouds of spheres, cubes, cylinders and cones.

Seeded bug (symmetric_init): reset_parameters() uses nn.init.constant_(w, 1/sqrt(fan_in))
where a uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) draw was intended. Every channel of every
layer starts identical and receives identical gradients, so all feature channels stay
copies of one another for the whole run (the network behaves like width 1).

Measured (195 AdamW steps): after training the rows of every Conv1d and the hidden Linear
are still exactly equal (max row difference 0.0); buggy loss 1.14, train acc 0.43, test
acc 0.425 (chance 0.25). Fixed copy (uniform init): loss 0.056, test acc 1.000.
"""
# traindebug-expect: symmetric_init
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_POINTS = 64
SHAPES = ("sphere", "cube", "cylinder", "cone")


def sample_shape(kind, n, rng):
    if kind == "sphere":
        p = rng.normal(size=(n, 3))
        p /= np.linalg.norm(p, axis=1, keepdims=True)
    elif kind == "cube":
        p = rng.uniform(-1, 1, size=(n, 3))
        face = rng.integers(0, 3, n)
        p[np.arange(n), face] = np.sign(rng.uniform(-1, 1, n))
    elif kind == "cylinder":
        th = rng.uniform(0, 2 * np.pi, n)
        p = np.stack([np.cos(th), np.sin(th), rng.uniform(-1, 1, n)], 1)
    else:
        h = rng.uniform(0, 1, n)
        th = rng.uniform(0, 2 * np.pi, n)
        p = np.stack([(1 - h) * np.cos(th), (1 - h) * np.sin(th), 2 * h - 1], 1)
    # random rotation about z, anisotropic scale and jitter
    a = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    p = p @ rot.T * rng.uniform(0.7, 1.3, size=3) + rng.normal(0, 0.02, size=(n, 3))
    return p


def make_dataset(n_per_class, seed):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c, kind in enumerate(SHAPES):
        for _ in range(n_per_class):
            xs.append(sample_shape(kind, N_POINTS, rng))
            ys.append(c)
    return torch.tensor(np.array(xs), dtype=torch.float32), torch.tensor(ys)


class PointNetLite(nn.Module):
    def __init__(self, n_classes, widths=(32, 64, 128)):
        super().__init__()
        convs, cin = [], 3
        for w in widths:
            convs += [nn.Conv1d(cin, w, kernel_size=1), nn.BatchNorm1d(w), nn.ReLU()]
            cin = w
        self.point_mlp = nn.Sequential(*convs)
        self.head = nn.Sequential(nn.Linear(cin, 64), nn.ReLU(), nn.Linear(64, n_classes))
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                fan_in = m.weight[0].numel()
                nn.init.constant_(m.weight, 1.0 / math.sqrt(fan_in))
                nn.init.zeros_(m.bias)

    def forward(self, pts):             # pts: (B, N, 3)
        h = self.point_mlp(pts.transpose(1, 2))   # (B, C, N)
        g = h.max(dim=2).values
        return self.head(g)


Xtr, ytr = make_dataset(100, seed=1)
Xte, yte = make_dataset(40, seed=2)
train_dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)

model = PointNetLite(len(SHAPES))
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=15 * len(train_dl))

for epoch in range(15):
    model.train()
    total, correct, loss_sum = 0, 0, 0.0
    for xb, yb in train_dl:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        loss_sum += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    if epoch % 3 == 2 or epoch == 0:
        model.eval()
        with torch.no_grad():
            te_acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch:2d} loss {loss_sum / total:.4f} train acc {correct / total:.3f} test acc {te_acc:.3f}")
