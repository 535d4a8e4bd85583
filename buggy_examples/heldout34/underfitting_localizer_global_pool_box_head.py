"""
Object localisation of a single bright triangle/bar on 16x16 synthetic images: a conv net
(three 3x3 conv layers, 8-16-16 channels, ReLU) followed by a pooled feature vector feeding a
2-layer MLP that regresses the box (x0, y0, x1, y1) in [0, 1]. Config in a dataclass, Adam lr
3e-3, batch 32, manual batching with a per-epoch permutation, 6 epochs over 1200 images
(228 steps), MSE loss.

Seeded bug: the feature extractor ends in nn.AdaptiveAvgPool2d(1) (the habit carried over from
classification backbones), so the head only sees translation-invariant channel averages. Where
the object is cannot be recovered from a global average, so the network has no capacity to fit
the box positions at all: training loss stays near the variance of the box coordinates while
gradients and updates look healthy. Keeping the spatial map (flatten the 16x16 maps after a
2x2 pooling, or pool only to 4x4) fixes it.

Measured (seed 0, 1 thread): buggy: final train MSE 0.0458, test mean IoU 0.149.
Fixed copy (AdaptiveAvgPool2d(4) + flatten): final train MSE 0.0021, test mean IoU 0.664.
"""
# traindebug-expect: underfitting
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    img_size: int = 16
    n_train: int = 1200
    n_test: int = 400
    batch_size: int = 32
    epochs: int = 6
    lr: float = 3e-3
    seed: int = 0


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
gen = np.random.default_rng(cfg.seed)


def synth(n, s):
    imgs = gen.uniform(0, 0.3, size=(n, 1, s, s)).astype(np.float32)
    boxes = np.zeros((n, 4), np.float32)
    for i in range(n):
        bw, bh = gen.integers(3, 8, size=2)
        x0 = gen.integers(0, s - bw + 1)
        y0 = gen.integers(0, s - bh + 1)
        patch = np.ones((bh, bw), np.float32)
        if gen.random() < 0.5:  # right triangle instead of a bar
            patch = np.tril(np.ones((bh, bw), np.float32), k=int(bw) - int(bh))
        imgs[i, 0, y0:y0 + bh, x0:x0 + bw] += patch
        boxes[i] = (x0 / s, y0 / s, (x0 + bw) / s, (y0 + bh) / s)
    return torch.from_numpy(imgs), torch.from_numpy(boxes)


class BoxRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        feat_dim = 16
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(feat_dim, 64), nn.ReLU(), nn.Linear(64, 4))

    def forward(self, x):
        return torch.sigmoid(self.head(self.backbone(x)))


def mean_iou(p, t):
    lt = torch.max(p[:, :2], t[:, :2])
    rb = torch.min(p[:, 2:], t[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    ap = (p[:, 2:] - p[:, :2]).clamp(min=0).prod(1)
    at = (t[:, 2:] - t[:, :2]).prod(1)
    return (inter / (ap + at - inter)).mean().item()


x_train, y_train = synth(cfg.n_train, cfg.img_size)
x_test, y_test = synth(cfg.n_test, cfg.img_size)

model = BoxRegressor()
optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)

steps = 0
for epoch in range(cfg.epochs):
    perm = torch.randperm(cfg.n_train)
    losses = []
    for i in range(0, cfg.n_train, cfg.batch_size):
        idx = perm[i:i + cfg.batch_size]
        pred = model(x_train[idx])
        loss = F.mse_loss(pred, y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        steps += 1
    with torch.no_grad():
        te = model(x_test)
    print(f"epoch {epoch}: steps={steps} train_mse={np.mean(losses):.4f} "
          f"test_mse={F.mse_loss(te, y_test).item():.4f} test_iou={mean_iou(te, y_test):.3f}")

with torch.no_grad():
    print(f"final test mean IoU: {mean_iou(model(x_test), y_test):.3f}")
