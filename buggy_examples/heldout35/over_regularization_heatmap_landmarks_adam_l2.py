"""
Two-landmark heatmap regression on generated 16x16 images: each image contains a bright
ring ("left eye") and a bright filled square ("right eye") at random positions on a noisy
background; the network outputs 2 heatmaps (one per landmark) trained with MSE against
Gaussian targets (sigma 1.0). nn.Sequential of four 3x3 convs (32 channels, dilation 1-2-2-1)
plus a 1x1 head, Adam lr 2e-3, batches of 16, 8 epochs over 320 images (160 steps).
Reports the percentage of landmarks whose heatmap argmax lies within 1.5 px (PCK@1.5).

Seeded bug: the optimizer line was copied from an AdamW recipe as
torch.optim.Adam(..., weight_decay=1e-2). In torch.optim.Adam the decay is an L2 term
added to the gradient before the adaptive normalisation, and heatmap-MSE gradients are
tiny (most target pixels are 0), so the 1e-2 * w term dominates every update: the weights
are pulled towards zero within ~60 steps, the predicted heatmaps collapse to a flat
near-zero map, and no landmark is found any more.

Measured (seed 0, 1 thread): buggy: val MSE 0.0114 (epoch 1) -> 0.0117 (epoch 8, flat from
epoch 3; = predicting all zeros), val PCK@1.5 0.422 -> 0.000, mean heatmap peak 0.024.
Fixed copy (no weight_decay): train MSE 0.00034, val MSE 0.00041, val PCK@1.5 1.000, mean
heatmap peak 0.921.
"""
# traindebug-expect: over_regularization
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

S = 16
yy, xx = np.mgrid[0:S, 0:S]


def gaussian(cx, cy, sigma=1.0):
    return np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma ** 2))


def sample(rng):
    img = 0.3 * rng.standard_normal((S, S))
    pts = []
    while len(pts) < 2:
        p = rng.integers(3, S - 3, size=2)
        if not pts or np.abs(p - pts[0]).max() > 4:
            pts.append(p)
    (rx, ry), (qx, qy) = pts
    ring = np.abs(np.sqrt((xx - rx) ** 2 + (yy - ry) ** 2) - 2.0) < 0.7
    square = (np.abs(xx - qx) <= 1) & (np.abs(yy - qy) <= 1)
    img[ring] += 1.0
    img[square] += 1.0
    heat = np.stack([gaussian(rx, ry), gaussian(qx, qy)])
    return img[None], heat, np.array([[rx, ry], [qx, qy]])


def build(n, rng):
    imgs, heats, pts = zip(*(sample(rng) for _ in range(n)))
    return (torch.tensor(np.array(imgs), dtype=torch.float32),
            torch.tensor(np.array(heats), dtype=torch.float32),
            torch.tensor(np.array(pts)))


def pck(heatmaps, points, thr=1.5):
    flat = heatmaps.flatten(2).argmax(-1)
    pred = torch.stack([flat % S, flat // S], dim=-1)
    return ((pred - points).float().norm(dim=-1) <= thr).float().mean().item()


rng = np.random.default_rng(0)
x_tr, h_tr, p_tr = build(320, rng)
x_va, h_va, p_va = build(128, rng)

net = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
    nn.Conv2d(32, 32, 3, padding=2, dilation=2), nn.ReLU(),
    nn.Conv2d(32, 32, 3, padding=2, dilation=2), nn.ReLU(),
    nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
    nn.Conv2d(32, 2, 1),
)
opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-2)
mse = nn.MSELoss()

t0 = time.process_time()
step = 0
for epoch in range(8):
    perm = torch.randperm(len(x_tr))
    for i in range(0, len(x_tr), 16):
        idx = perm[i:i + 16]
        loss = mse(net(x_tr[idx]), h_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        out = net(x_va)
        val = mse(out, h_va).item()
    print(f"epoch {epoch} step {step}  train mse {loss.item():.5f}  val mse {val:.5f}  "
          f"val PCK@1.5 {pck(out, p_va):.3f}")

with torch.no_grad():
    train_mse = mse(net(x_tr), h_tr).item()
    out = net(x_va)
print(f"final train mse {train_mse:.5f}  val mse {mse(out, h_va).item():.5f}  "
      f"val PCK@1.5 {pck(out, p_va):.3f}  peak height {out.amax(dim=(2, 3)).mean().item():.3f}")
print(f"cpu time {time.process_time() - t0:.1f}s")
