"""
Integral (soft-argmax) keypoint regression on generated 16x16 images with a bright cross
marker on a noisy background with one dimmer distractor blob. A small conv net produces one
heatmap logit map; a spatial softmax over all 256 pixels (with a learnable inverse
temperature) turns it into a probability map, and the predicted keypoint is the expected
(x, y) coordinate under that map. Loss: smooth L1 between predicted and true coordinates
(normalised to [-1, 1]), RMSprop lr 1e-3, batches of 32, 15 epochs over 384 images
(180 steps). Reports mean pixel error on 128 validation images.

Healthy control: differentiable soft-argmax is a standard keypoint head and it converges
to sub-pixel error here.
Possible false alarm: the model's output goes through a softmax (over the spatial
dimensions) before the loss, which a naive detector may mistake for "softmax before a
loss that expects logits"; the loss also drops to ~1e-5 within a few epochs, which can
look like a degenerate/collapsed objective.

Measured (seed 0, 1 thread): val pixel error 0.192 px (epoch 1) -> 0.011 px (epoch 15),
final batch smooth-L1 loss < 1e-4 (180 optimizer steps).
"""
# traindebug-expect: clean
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

S = 16


def make_images(n, rng):
    yy, xx = np.mgrid[0:S, 0:S]
    imgs = 0.3 * rng.standard_normal((n, 1, S, S)).astype(np.float32)
    pts = np.zeros((n, 2), dtype=np.float32)
    for i in range(n):
        bx, by = rng.integers(2, S - 2, size=2)
        imgs[i, 0] += 0.6 * np.exp(-((xx - bx) ** 2 + (yy - by) ** 2) / 2.0)
        x, y = rng.integers(2, S - 2, size=2)
        imgs[i, 0, y, x - 1:x + 2] += 1.2
        imgs[i, 0, y - 1:y + 2, x] += 1.2
        pts[i] = (x, y)
    return torch.from_numpy(imgs), torch.from_numpy(pts)


class SoftArgmaxNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=2, dilation=2), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, 1, 1),
        )
        self.log_beta = nn.Parameter(torch.tensor(0.0))
        coords = torch.linspace(-1, 1, S)
        grid_y, grid_x = torch.meshgrid(coords, coords, indexing="ij")
        self.register_buffer("grid", torch.stack([grid_x.flatten(), grid_y.flatten()], dim=1))

    def forward(self, x):
        logits = self.features(x).flatten(1) * self.log_beta.exp()
        prob = F.softmax(logits, dim=1)          # spatial softmax over S*S positions
        return prob @ self.grid                  # expected (x, y) in [-1, 1]


def to_norm(pts):
    return pts / (S - 1) * 2 - 1


def to_pixels(coords):
    return (coords + 1) / 2 * (S - 1)


def main():
    start = time.process_time()
    rng = np.random.default_rng(0)
    x_tr, p_tr = make_images(384, rng)
    x_va, p_va = make_images(128, rng)
    t_tr = to_norm(p_tr)

    model = SoftArgmaxNet()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for epoch in range(15):
        model.train()
        perm = torch.randperm(len(x_tr))
        for i in range(0, len(x_tr), 32):
            idx = perm[i:i + 32]
            loss = F.smooth_l1_loss(model(x_tr[idx]), t_tr[idx], beta=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            err = (to_pixels(model(x_va)) - p_va).norm(dim=1).mean().item()
        if epoch % 3 == 0 or epoch == 14:
            print(f"epoch {epoch:2d}  train loss {loss.item():.4f}  val pixel error {err:.3f}  "
                  f"beta {model.log_beta.exp().item():.2f}")
    print(f"final val pixel error {err:.3f} px")
    print(f"cpu time {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main()
