"""
Heatmap-based keypoint localisation on generated 20x20 images: each image shows one small
bright "marker" (a plus sign) on a cluttered noisy background with two dimmer distractor
blobs; the network must output a 20x20 heatmap whose peak is on the marker. Fully
convolutional net (5 conv layers, 3x3, dilations 1-2-4-2-1, 16 channels), MSE against a
Gaussian target heatmap (sigma 1.2, scaled to peak 1), Adam lr 2e-3, batches of 16,
10 epochs over 256 images (160 steps). A small Trainer class with an on_epoch_end
callback reports mean pixel distance between the heatmap argmax and the true marker.

Seeded bug: keypoints are stored as (x, y) = (column, row) and draw_marker() uses them that
way, but render_heatmap() unpacks the same tuple as `row, col = keypoint`. Every target
heatmap therefore peaks at the transposed location (y, x) instead of on the marker, so the
per-pixel targets do not correspond to what is in the image (except for markers near the
diagonal). A translation-equivariant network cannot learn the transpose; it learns a
blurry average and localisation error stays near chance. A typical (x, y) vs (row, col)
convention mix-up between two helper functions.

Measured (seed 0, 1 thread): buggy: train MSE 0.0158 (epoch 1) -> 0.0090 (epoch 10, the
blurry-average floor), val pixel error 7.48, PCK@2px 0.100. Fixed copy (`col, row =
keypoint`): train MSE 0.0155 -> 0.00014, val pixel error 0.00, PCK@2px 1.000.
"""
# traindebug-expect: label_problem
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

H = W = 20
SIGMA = 1.2


def draw_marker(img, keypoint, value=1.0):
    x, y = keypoint
    img[y, max(x - 1, 0):x + 2] = value
    img[max(y - 1, 0):y + 2, x] = value


def render_heatmap(keypoint, sigma=SIGMA):
    row, col = keypoint
    rr, cc = np.mgrid[0:H, 0:W]
    return np.exp(-((rr - row) ** 2 + (cc - col) ** 2) / (2 * sigma ** 2)).astype(np.float32)


def make_dataset(n, rng):
    images = np.zeros((n, 1, H, W), dtype=np.float32)
    heatmaps = np.zeros((n, 1, H, W), dtype=np.float32)
    keypoints = np.zeros((n, 2), dtype=np.int64)
    rr, cc = np.mgrid[0:H, 0:W]
    for i in range(n):
        img = 0.25 * rng.standard_normal((H, W))
        for _ in range(2):
            dy, dx = rng.integers(2, H - 2, size=2)
            img += 0.5 * np.exp(-((rr - dy) ** 2 + (cc - dx) ** 2) / 3.0)
        kp = (int(rng.integers(2, W - 2)), int(rng.integers(2, H - 2)))
        draw_marker(img, kp, value=1.5)
        images[i, 0] = img
        heatmaps[i, 0] = render_heatmap(kp)
        keypoints[i] = kp
    return torch.from_numpy(images), torch.from_numpy(heatmaps), torch.from_numpy(keypoints)


class HeatmapNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        layers, cin = [], 1
        for d in (1, 2, 4, 2, 1):
            layers += [nn.Conv2d(cin, width, 3, padding=d, dilation=d), nn.ReLU()]
            cin = width
        self.features = nn.Sequential(*layers)
        self.out = nn.Conv2d(width, 1, 1)

    def forward(self, x):
        return self.out(self.features(x))


def decode_keypoints(heatmaps):
    flat = heatmaps.flatten(1).argmax(dim=1)
    return torch.stack([flat % W, flat // W], dim=1)  # (x, y)


class Trainer:
    def __init__(self, model, optimizer, loss_fn, callbacks=()):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.callbacks = list(callbacks)
        self.history = []

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            total, n = 0.0, 0
            for images, targets in loader:
                self.optimizer.zero_grad()
                loss = self.loss_fn(self.model(images), targets)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(images)
                n += len(images)
            self.history.append(total / n)
            for cb in self.callbacks:
                cb(self, epoch)


class PixelErrorCallback:
    def __init__(self, images, keypoints, every=3):
        self.images, self.keypoints, self.every = images, keypoints, every
        self.last = None

    def __call__(self, trainer, epoch):
        trainer.model.eval()
        with torch.no_grad():
            pred = decode_keypoints(trainer.model(self.images))
        self.last = (pred - self.keypoints).float().norm(dim=1).mean().item()
        if epoch % self.every == 0:
            print(f"epoch {epoch:2d}  train mse {trainer.history[-1]:.5f}  "
                  f"val pixel error {self.last:.2f}")


def main():
    start = time.process_time()
    rng = np.random.default_rng(0)
    x_train, hm_train, _ = make_dataset(256, rng)
    x_val, _, kp_val = make_dataset(160, rng)
    loader = DataLoader(TensorDataset(x_train, hm_train), batch_size=16, shuffle=True)

    model = HeatmapNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    report = PixelErrorCallback(x_val, kp_val)
    trainer = Trainer(model, optimizer, nn.MSELoss(), callbacks=[report])
    trainer.fit(loader, epochs=10)

    within2 = None
    with torch.no_grad():
        pred = decode_keypoints(model(x_val))
        within2 = ((pred - kp_val).float().norm(dim=1) <= 2.0).float().mean().item()
    print(f"final train mse {trainer.history[-1]:.5f}  val pixel error {report.last:.2f}  "
          f"PCK@2px {within2:.3f}")
    print(f"cpu time {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main()
