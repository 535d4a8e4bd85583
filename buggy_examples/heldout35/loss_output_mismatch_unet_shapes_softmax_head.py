"""
Tiny U-Net for semantic segmentation of generated 24x24 images: each image holds 1-3
random shapes (filled disks and filled squares, same grey level) on a noisy background;
per-pixel labels are 0 = background, 1 = disk, 2 = square. Encoder 1->8->16->32 with two
max-pools, decoder with transposed convs and skip concatenations. 256 training / 128 test
images, DataLoader batches of 16, Adam lr 3e-3, 10 epochs (160 steps), pixel-wise
CrossEntropyLoss, mean IoU over the three classes on the test set.

Seeded bug: the model's output head is nn.Sequential(nn.Conv2d(8, 3, 1), nn.Softmax(dim=1))
so that predict() returns per-pixel probabilities, and the same forward is used during
training with nn.CrossEntropyLoss, which applies log_softmax itself. The loss is therefore
computed on probabilities in [0, 1]: the gradient through the extra softmax is squashed, the
loss is bounded below by ~0.55 per pixel, and once the softmax saturates towards the
dominant background class the gradient all but vanishes: the network gets stuck predicting
background everywhere. A classic mistake when a network is written so that its forward
"looks like" a classifier.

Measured (seed 0, 1 thread): buggy: train loss 0.977 (epoch 1) -> 0.797 (epoch 10, flat
from epoch 3), test mIoU 0.250, pixel accuracy 0.750 (all background). Fixed copy (head
without the Softmax): train loss 0.909 -> 0.207, test mIoU 0.566, pixel accuracy 0.884.
"""
# traindebug-expect: loss_output_mismatch
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SIZE = 24
NUM_CLASSES = 3


def make_shapes(n, rng):
    images = np.zeros((n, 1, SIZE, SIZE), dtype=np.float32)
    masks = np.zeros((n, SIZE, SIZE), dtype=np.int64)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    for i in range(n):
        for _ in range(rng.integers(1, 4)):
            cy, cx = rng.integers(4, SIZE - 4, size=2)
            r = rng.integers(4, 7)
            if rng.random() < 0.5:
                region = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
                masks[i][region] = 1
            else:
                region = (np.abs(yy - cy) <= r - 1) & (np.abs(xx - cx) <= r - 1)
                masks[i][region] = 2
            images[i, 0][region] = 1.0
    images += 0.2 * rng.standard_normal(images.shape).astype(np.float32)
    return torch.from_numpy(images), torch.from_numpy(masks)


def double_conv(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True),
    )


class TinyUNet(nn.Module):
    def __init__(self, n_classes=NUM_CLASSES):
        super().__init__()
        self.enc1 = double_conv(1, 8)
        self.enc2 = double_conv(8, 16)
        self.bottleneck = double_conv(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec2 = double_conv(32, 16)
        self.up1 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec1 = double_conv(16, 8)
        self.head = nn.Sequential(nn.Conv2d(8, n_classes, 1), nn.Softmax(dim=1))

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottleneck(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1)

    @torch.no_grad()
    def predict(self, x):
        return self(x).argmax(dim=1)


def mean_iou(pred, target, n_classes=NUM_CLASSES):
    ious = []
    for c in range(n_classes):
        inter = ((pred == c) & (target == c)).sum().item()
        union = ((pred == c) | (target == c)).sum().item()
        if union > 0:
            ious.append(inter / union)
    return float(np.mean(ious))


def main():
    start = time.process_time()
    rng = np.random.default_rng(0)
    x_train, y_train = make_shapes(256, rng)
    x_test, y_test = make_shapes(128, rng)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=16, shuffle=True)

    model = TinyUNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, 11):
        model.train()
        total, count = 0.0, 0
        for images, masks in loader:
            optimizer.zero_grad()
            loss = criterion(model(images), masks)
            loss.backward()
            optimizer.step()
            total += loss.item() * images.size(0)
            count += images.size(0)
        if epoch % 3 == 0 or epoch == 1:
            model.eval()
            miou = mean_iou(model.predict(x_test), y_test)
            print(f"epoch {epoch:2d}  train loss {total / count:.4f}  test mIoU {miou:.3f}")

    model.eval()
    pred = model.predict(x_test)
    pixel_acc = (pred == y_test).float().mean().item()
    print(f"final test mIoU {mean_iou(pred, y_test):.3f}  pixel accuracy {pixel_acc:.3f}")
    print(f"cpu time {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main()
