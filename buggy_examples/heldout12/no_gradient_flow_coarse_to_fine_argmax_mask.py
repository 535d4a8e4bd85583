"""Coarse-to-fine segmentation of generated scenes: segment the disc, ignore the
equally bright square.  A small U-Net-like CoarseNet feeds a local RefineNet.

Seeded bug (no_gradient_flow): the coarse prediction is handed to the refinement
head as coarse_logits.argmax(1).float(); argmax is not differentiable, so the
loss (computed on the refined output only) never reaches CoarseNet and all its
parameters keep .grad = None while sitting in the optimizer.  The refinement
head alone (receptive field 5x5) cannot tell the disc from the square.
Measured after 192 Adam steps: train loss 0.128, test disc IoU 0.544.
Same script passing coarse_logits.softmax(1)[:, 1:] instead: train loss 0.023,
test disc IoU 0.856.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

H = W = 24


def make_scene(rng):
    """One disc (target) and one square (distractor) of the same brightness."""
    img = np.zeros((H, W), np.float32)
    mask = np.zeros((H, W), np.int64)
    yy, xx = np.mgrid[0:H, 0:W]
    r = rng.integers(3, 6)
    cy, cx = rng.integers(r, H - r, size=2)
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    s = rng.integers(4, 9)
    sy, sx = rng.integers(0, H - s, size=2)
    square = np.zeros_like(disc)
    square[sy:sy + s, sx:sx + s] = True
    img[square] = 1.0
    img[disc] = 1.0
    mask[disc] = 1
    img += rng.normal(0, 0.3, size=img.shape).astype(np.float32)
    return img, mask


rng = np.random.default_rng(3)
scenes = [make_scene(rng) for _ in range(640)]
imgs = torch.from_numpy(np.stack([s[0] for s in scenes])).unsqueeze(1)
masks = torch.from_numpy(np.stack([s[1] for s in scenes]))
tr_x, te_x = imgs[:512], imgs[512:]
tr_y, te_y = masks[:512], masks[512:]


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CoarseNet(nn.Module):
    """Tiny encoder-decoder that sees the whole shape."""

    def __init__(self, c=16):
        super().__init__()
        self.enc1 = block(1, c)
        self.enc2 = block(c, 2 * c)
        self.enc3 = block(2 * c, 2 * c)
        self.dec2 = block(4 * c, c)
        self.dec1 = block(2 * c, c)
        self.out = nn.Conv2d(c, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(e3, scale_factor=2), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2), e1], 1))
        return self.out(d1)


class RefineNet(nn.Module):
    """Coarse-to-fine: a local refinement head on top of the coarse prediction."""

    def __init__(self):
        super().__init__()
        self.coarse = CoarseNet()
        self.refine = nn.Sequential(
            nn.Conv2d(2, 8, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(8, 2, 1)
        )

    def forward(self, x):
        coarse_logits = self.coarse(x)
        coarse_mask = coarse_logits.argmax(1, keepdim=True).float()
        return self.refine(torch.cat([x, coarse_mask], 1))


def iou(logits, target):
    pred = logits.argmax(1)
    inter = ((pred == 1) & (target == 1)).sum().item()
    union = ((pred == 1) | (target == 1)).sum().item()
    return inter / max(union, 1)


model = RefineNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
bs = 32
for epoch in range(12):
    model.train()
    perm = torch.randperm(len(tr_x))
    run = 0.0
    for i in range(0, len(tr_x), bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(tr_x[idx]), tr_y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
    if epoch % 3 == 2:
        model.eval()
        with torch.no_grad():
            score = iou(model(te_x), te_y)
        print(f"epoch {epoch + 1:2d} train loss {run / len(tr_x):.4f} disc IoU {score:.3f}")
