"""
Direct keypoint (coordinate) regression on generated 32x32 greyscale "camera frames": each
frame shows a bright disk (the object whose centre we want) on a smooth gradient background
with sensor noise, stored as uint8 like frames grabbed from a camera. Small CNN (conv 5x5
stride 2 -> conv 3x3 stride 2 -> conv 3x3, ReLU, then MLP 512 -> 64 -> 2) regressing the
centre as (x, y) in [0, 1]; MSE loss, Adam lr 1e-3, batches of 32, 16 epochs over 384
frames (192 steps). Reports mean pixel error on 128 held-out frames.

Seeded bug: FrameDataset converts the uint8 frames with `.float()` but never divides by
255 (or standardises), so the network sees intensities 0-255 while the targets live in
[0, 1]. The first layer's pre-activations are ~100x larger than with unit-scale input,
the first updates overshoot (epoch-1 MSE 0.76 vs 0.16), and afterwards Adam's fixed-size
steps are badly matched to the huge input scale, so the regressor converges to a clearly
worse, noisier solution. The normalisation step is easy to forget when the dataset code is
written separately from the capture code.

Measured (seed 0, 1 thread): buggy: train MSE 0.760 (epoch 1) -> 0.00168 (epoch 16), val
pixel error 2.56 px. Fixed copy (frames divided by 255): train MSE 0.156 -> 0.00125, val
pixel error 1.40 px (predicting the image centre: 7.86 px).
"""
# traindebug-expect: input_scale
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SIZE = 32


def capture_frames(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    frames = np.empty((n, SIZE, SIZE), dtype=np.uint8)
    centres = np.empty((n, 2), dtype=np.float32)
    for i in range(n):
        gx, gy = rng.uniform(-1, 1, size=2)
        background = 70 + 30 * (gx * xx + gy * yy) / SIZE
        cx, cy = rng.uniform(6, SIZE - 6, size=2)
        r = rng.uniform(3, 5)
        disk = ((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r) * 120.0
        noisy = background + disk + rng.normal(0, 12, size=(SIZE, SIZE))
        frames[i] = np.clip(noisy, 0, 255).astype(np.uint8)
        centres[i] = (cx, cy)
    return frames, centres


class FrameDataset(Dataset):
    def __init__(self, frames, centres):
        self.frames = torch.from_numpy(frames).unsqueeze(1).float()
        self.targets = torch.from_numpy(centres) / SIZE

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, idx):
        return self.frames[idx], self.targets[idx]


model = nn.Sequential(
    nn.Conv2d(1, 16, 5, stride=2, padding=2), nn.ReLU(),
    nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),
    nn.Flatten(),
    nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
    nn.Linear(64, 2),
)


def pixel_error(model, dataset):
    model.eval()
    with torch.no_grad():
        pred = model(dataset.frames)
    return ((pred - dataset.targets) * SIZE).norm(dim=1).mean().item()


def main():
    start = time.process_time()
    rng = np.random.default_rng(0)
    train_set = FrameDataset(*capture_frames(384, rng))
    val_set = FrameDataset(*capture_frames(128, rng))
    loader = DataLoader(train_set, batch_size=32, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    for epoch in range(16):
        model.train()
        losses = []
        for frames, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(frames), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        if epoch % 4 == 0 or epoch == 15:
            print(f"epoch {epoch:2d}  train mse {np.mean(losses):.5f}  "
                  f"val pixel error {pixel_error(model, val_set):.2f}")

    print(f"final val pixel error {pixel_error(model, val_set):.2f} px "
          f"(predicting the centre would give ~{np.mean(np.linalg.norm(val_set.targets.numpy() * SIZE - SIZE / 2, axis=1)):.2f} px)")
    print(f"cpu time {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main()
