"""PointNet-style classifier on generated 3-D point clouds (sphere / cube
surface / cylinder / cone, 64 points each, random rotation, anisotropic
scale, offset and jitter): per-point shared MLP (1x1 Conv1d + BatchNorm),
global max-pool, residual MLP head. AdamW + OneCycleLR, 250 steps.

Healthy control. Patterns that a naive detector might flag:
  * FourierPointEncoding.proj is a deliberately frozen random projection
    (requires_grad=False, excluded from the optimizer) - fixed random Fourier
    features, so its weights never change and it never has a .grad.
  * The second linear layer of every residual block is zero-initialised so
    each block starts as the identity (constant/zero weights at step 0, and
    the first layer of the block gets zero gradient on the very first step).
Measured: train loss 1.18 -> 0.23 (label smoothing 0.05), test accuracy
0.69 after epoch 0 -> 0.84 at the end (chance 0.25).
"""
# traindebug-expect: clean
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_PTS = 64
SHAPES = ["sphere", "cube", "cylinder", "cone"]


def sample_shape(kind, n, g):
    u = torch.rand(n, generator=g)
    v = torch.rand(n, generator=g)
    if kind == "sphere":
        th, ph = 2 * math.pi * u, torch.acos(2 * v - 1)
        pts = torch.stack([ph.sin() * th.cos(), ph.sin() * th.sin(), ph.cos()], 1)
    elif kind == "cube":
        pts = torch.rand(n, 3, generator=g) * 2 - 1
        face = torch.randint(0, 3, (n,), generator=g)
        sign = torch.randint(0, 2, (n,), generator=g).float() * 2 - 1
        pts[torch.arange(n), face] = sign
    elif kind == "cylinder":
        th = 2 * math.pi * u
        pts = torch.stack([th.cos(), th.sin(), 2 * v - 1], 1)
    else:  # cone
        th, h = 2 * math.pi * u, v.sqrt()
        pts = torch.stack([h * th.cos(), h * th.sin(), 1 - 2 * h], 1)
    return pts


def random_rotation(g):
    q = torch.randn(4, generator=g)
    a, b, c, d = q / q.norm()
    return torch.tensor([[a*a+b*b-c*c-d*d, 2*(b*c-a*d), 2*(b*d+a*c)],
                         [2*(b*c+a*d), a*a-b*b+c*c-d*d, 2*(c*d-a*b)],
                         [2*(b*d-a*c), 2*(c*d+a*b), a*a-b*b-c*c+d*d]])


def make_clouds(n, seed):
    g = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for i in range(n):
        label = i % len(SHAPES)
        pts = sample_shape(SHAPES[label], N_PTS, g)
        pts = pts * (0.7 + 0.6 * torch.rand(3, generator=g))     # anisotropic scale
        pts = pts @ random_rotation(g).T + 0.03 * torch.randn(N_PTS, 3, generator=g)
        pts = pts + 0.5 * torch.randn(1, 3, generator=g)        # random offset
        xs.append(pts)
        ys.append(label)
    return torch.stack(xs), torch.tensor(ys)


class FourierPointEncoding(nn.Module):
    """Fixed random Fourier features of the xyz coordinates (not trained)."""

    def __init__(self, n_freq=16, scale=2.0):
        super().__init__()
        self.proj = nn.Linear(3, n_freq, bias=False)
        nn.init.normal_(self.proj.weight, std=scale)
        self.proj.requires_grad_(False)
        self.out_dim = 3 + 2 * n_freq

    def forward(self, pts):                                     # (B, N, 3)
        z = self.proj(pts)
        return torch.cat([pts, z.sin(), z.cos()], -1)


class ResidualBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim)
        self.fc2 = nn.Linear(dim, dim)
        nn.init.zeros_(self.fc2.weight)   # each block starts as the identity
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(self.norm(x))))


class PointNet(nn.Module):
    def __init__(self, n_cls=4, width=96):
        super().__init__()
        self.encode = FourierPointEncoding()
        self.point_mlp = nn.Sequential(
            nn.Conv1d(self.encode.out_dim, 64, 1), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, width, 1), nn.BatchNorm1d(width), nn.ReLU())
        self.head = nn.Sequential(ResidualBlock(width), ResidualBlock(width), nn.LayerNorm(width),
                                  nn.Linear(width, n_cls))

    def forward(self, pts):
        pts = pts - pts.mean(1, keepdim=True)                   # centre each cloud
        f = self.point_mlp(self.encode(pts).transpose(1, 2))   # (B, C, N)
        return self.head(f.max(dim=2).values)


Xtr, ytr = make_clouds(1600, seed=1)
Xte, yte = make_clouds(400, seed=2)
model = PointNet()
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-3, weight_decay=1e-2)
EPOCHS, BS = 10, 64
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=EPOCHS * (len(Xtr) // BS))
g = torch.Generator().manual_seed(0)
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(Xtr), generator=g)
    tot = 0.0
    for i in range(0, len(Xtr) - BS + 1, BS):
        idx = perm[i:i + BS]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx], label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item()
    if epoch % 3 == 0 or epoch == EPOCHS - 1:
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch}  train loss {tot / (len(Xtr) // BS):.4f}  test acc {acc:.3f}")
