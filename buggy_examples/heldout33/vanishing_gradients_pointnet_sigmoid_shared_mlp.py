"""
PointNet-style classifier on generated 3-D point clouds (sphere, cube, cylinder, torus surfaces;
48 points, random rotation/scale/jitter): a shared per-point MLP written as seven Conv1d(k=1)
layers (3-64-64-64-128-128-128-256), global max pooling over points, and a 2-layer head.
Adam, lr 1e-3, batch 32, 8 epochs (152 steps), small Trainer class.

Seeded bug: the per-point MLP was built from an old template that used nn.Sigmoid as the
activation (the original PointNet uses ReLU + BatchNorm). Seven stacked sigmoids each scale the
backward signal by at most 0.25, so the first conv layers receive gradients several orders of
magnitude smaller than the head; the point features stay close to their random init and the
classifier sits at about chance.

Measured (seed 0, 1 thread): buggy: final train loss 1.385, test acc 0.247, mean |grad| first conv /
head ~1e-6. Fixed copy (nn.ReLU): final train loss 0.277, test acc 0.903 (ratio 1e-2 -> 1).
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def cloud(label, n, rng):
    if label == 0:
        p = rng.normal(size=(n, 3))
        p /= np.linalg.norm(p, axis=1, keepdims=True)
    elif label == 1:
        p = rng.uniform(-1, 1, (n, 3))
        p[np.arange(n), rng.integers(0, 3, n)] = rng.choice([-1.0, 1.0], n)
    elif label == 2:
        t = rng.uniform(0, 2 * np.pi, n)
        p = np.stack([np.cos(t), np.sin(t), rng.uniform(-1, 1, n)], 1)
    else:
        u, v = rng.uniform(0, 2 * np.pi, (2, n))
        p = np.stack([(1 + .4 * np.cos(v)) * np.cos(u), (1 + .4 * np.cos(v)) * np.sin(u), .4 * np.sin(v)], 1)
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    return (p @ (q * np.sign(np.diag(r))).T) * rng.uniform(0.7, 1.3) + 0.02 * rng.normal(size=p.shape)


def dataset(n, rng, n_points=48):
    y = rng.integers(0, 4, n)
    x = np.stack([cloud(c, n_points, rng) for c in y]).transpose(0, 2, 1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


class PointNet(nn.Module):
    def __init__(self, widths=(3, 64, 64, 64, 128, 128, 128, 256), n_classes=4, act=nn.Sigmoid):
        super().__init__()
        layers = []
        for cin, cout in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv1d(cin, cout, 1), act()]
        self.point_mlp = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(widths[-1], 128), nn.ReLU(), nn.Linear(128, n_classes))

    def forward(self, x):
        return self.head(self.point_mlp(x).max(dim=2).values)


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=32):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.bs = batch_size
        self.step = 0

    def grad_ratio(self):
        first = self.model.point_mlp[0].weight.grad.abs().mean()
        last = self.model.head[-1].weight.grad.abs().mean()
        return (first / last).item()

    def fit_epoch(self, x, y):
        self.model.train()
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), self.bs):
            idx = perm[i:i + self.bs]
            loss = F.cross_entropy(self.model(x[idx]), y[idx])
            self.opt.zero_grad()
            loss.backward()
            if self.step % 50 == 0:
                print(f"  step {self.step:4d} loss {loss.item():.4f} grad ratio first/last {self.grad_ratio():.2e}")
            self.opt.step()
            total += loss.item() * len(idx)
            self.step += 1
        return total / len(x)

    @torch.no_grad()
    def accuracy(self, x, y):
        self.model.eval()
        return (self.model(x).argmax(1) == y).float().mean().item()


rng = np.random.default_rng(0)
xtr, ytr = dataset(600, rng)
xte, yte = dataset(300, rng)
trainer = Trainer(PointNet())
for epoch in range(8):
    tl = trainer.fit_epoch(xtr, ytr)
    print(f"epoch {epoch} train loss {tl:.4f} test acc {trainer.accuracy(xte, yte):.3f}")
print(f"final train loss {tl:.4f} test acc {trainer.accuracy(xte, yte):.3f}")
