"""
Bounding-box regression for a bright blob on synthetic 20x20 "microscopy" crops: each image has
one filled ellipse or rectangle (random size, position, brightness) on a smooth noisy background;
the network predicts the normalised box (cx, cy, w, h) plus an "is ellipse" logit. nn.Sequential
CNN, SGD with Nesterov momentum 0.9, lr 0.05 with cosine annealing, batch 50, 8 epochs over
1500 training crops (240 steps). Random horizontal flips are used as training augmentation.

Seeded bug: the flip augmentation mirrors the image (img.flip(-1)) but returns the original box,
so for half of the training samples the x-centre target points at the wrong side of the image
(the correct target would be 1 - cx). The x-coordinate labels therefore no longer match the
inputs and the model learns to predict the image centre horizontally. Classic augmentation slip:
geometric transforms applied to the input but not to the geometric labels.

Measured (seed 1, 1 thread): buggy: final train box loss 0.0405, test mean IoU 0.361, |cx err| 0.162.
Fixed copy (cx -> 1 - cx when flipping): final train box loss 0.0082, test mean IoU 0.748,
|cx err| 0.021 (shape accuracy ~0.99 in both).
"""
# traindebug-expect: label_problem
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(1)
np.random.seed(1)

SIZE = 20


def make_crops(n):
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    images = np.zeros((n, 1, SIZE, SIZE), np.float32)
    targets = np.zeros((n, 4), np.float32)
    kinds = np.zeros(n, np.float32)
    for i in range(n):
        w, h = np.random.randint(4, 10, size=2)
        cx = np.random.uniform(w / 2, SIZE - w / 2)
        cy = np.random.uniform(h / 2, SIZE - h / 2)
        ellipse = np.random.rand() < 0.5
        if ellipse:
            m = ((xs + 0.5 - cx) / (w / 2)) ** 2 + ((ys + 0.5 - cy) / (h / 2)) ** 2 <= 1.0
        else:
            m = (np.abs(xs + 0.5 - cx) <= w / 2) & (np.abs(ys + 0.5 - cy) <= h / 2)
        bg = 0.2 * np.sin(xs / 3.0 + np.random.rand() * 6) + np.random.normal(0, 0.1, (SIZE, SIZE))
        images[i, 0] = bg + m * np.random.uniform(0.8, 1.5)
        targets[i] = [cx / SIZE, cy / SIZE, w / SIZE, h / SIZE]
        kinds[i] = float(ellipse)
    return torch.from_numpy(images), torch.from_numpy(targets), torch.from_numpy(kinds)


class CropDataset(Dataset):
    def __init__(self, images, boxes, kinds, augment=False):
        self.images, self.boxes, self.kinds, self.augment = images, boxes, kinds, augment

    def __len__(self):
        return len(self.images)

    def __getitem__(self, idx):
        img, box = self.images[idx], self.boxes[idx].clone()
        if self.augment and torch.rand(()) < 0.5:
            img = img.flip(-1)
        return img, box, self.kinds[idx]


def cxcywh_iou(a, b):
    def corners(t):
        return torch.cat([t[:, :2] - t[:, 2:] / 2, t[:, :2] + t[:, 2:] / 2], 1)
    a, b = corners(a), corners(b)
    inter = (torch.min(a[:, 2:], b[:, 2:]) - torch.max(a[:, :2], b[:, :2])).clamp(min=0).prod(1)
    union = (a[:, 2:] - a[:, :2]).prod(1) + (b[:, 2:] - b[:, :2]).prod(1) - inter
    return inter / union


X_tr, B_tr, K_tr = make_crops(1500)
X_te, B_te, K_te = make_crops(400)
loader = DataLoader(CropDataset(X_tr, B_tr, K_tr, augment=True), batch_size=50, shuffle=True)

net = nn.Sequential(
    nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(24 * 5 * 5, 96), nn.ReLU(),
    nn.Linear(96, 5),
)

EPOCHS = 8
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * len(loader))
box_loss_fn = nn.SmoothL1Loss(beta=0.05)
kind_loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(EPOCHS):
    net.train()
    run_box, run_kind = 0.0, 0.0
    for img, box, kind in loader:
        out = net(img)
        l_box = box_loss_fn(torch.sigmoid(out[:, :4]), box)
        l_kind = kind_loss_fn(out[:, 4], kind)
        loss = 10.0 * l_box + l_kind
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        run_box += l_box.item()
        run_kind += l_kind.item()
    print(f"[{epoch + 1}/{EPOCHS}] lr={sched.get_last_lr()[0]:.4f} "
          f"box={run_box / len(loader):.4f} kind={run_kind / len(loader):.4f}")

net.eval()
with torch.no_grad():
    out = net(X_te)
    pred = torch.sigmoid(out[:, :4])
    iou = cxcywh_iou(pred, B_te).mean().item()
    cx_err = (pred[:, 0] - B_te[:, 0]).abs().mean().item()
    kind_acc = ((out[:, 4] > 0).float() == K_te).float().mean().item()
print(f"test mean IoU {iou:.3f} | |cx err| {cx_err:.3f} | shape acc {kind_acc:.3f}")
