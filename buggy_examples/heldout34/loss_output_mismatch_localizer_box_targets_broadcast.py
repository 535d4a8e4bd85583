"""
Single-object localisation on synthetic 24x24 images: each image contains one shape (filled
square, disc or plus sign) of random size at a random position on a noisy background. A small
CNN (two conv blocks + shared FC trunk) has two heads: 3-way shape logits (cross-entropy) and
4 box coordinates (x0, y0, x1, y1) in [0, 1] via a sigmoid (smooth-L1). AdamW lr 2e-3, batch 64,
7 epochs over 1800 training images (196 steps), DataLoader with shuffling.

Seeded bug: the boxes are stored in detection format, one row per object, i.e. shape (N, 1, 4),
so the dataset returns a (1, 4) box per image and the batch target is (B, 1, 4) while the box
head outputs (B, 4). F.smooth_l1_loss silently broadcasts the pair to (B, B, 4), comparing every
prediction with every box in the batch, so the optimum is the batch-mean box for every image and
the box head learns nothing image-specific (the class head is unaffected). Typical slip when
adapting detection-style annotations (a list of boxes per image) to a one-box regressor.

Measured (seed 0, 1 thread): buggy: final box loss 0.1214 (flat from epoch 1), test mean IoU 0.230.
Fixed copy (targets squeezed to (B, 4)): final box loss 0.0037, test mean IoU 0.802.
(Class accuracy 0.84 vs 0.80, unaffected.)
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

IMG = 24
SHAPES = ("square", "disc", "plus")


def draw_scene(rng):
    img = rng.normal(0.0, 0.15, size=(IMG, IMG)).astype(np.float32)
    cls = int(rng.integers(len(SHAPES)))
    size = int(rng.integers(6, 13))
    x0 = int(rng.integers(0, IMG - size + 1))
    y0 = int(rng.integers(0, IMG - size + 1))
    yy, xx = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2.0
    if cls == 0:
        mask = np.ones((size, size), bool)
    elif cls == 1:
        mask = (yy - c) ** 2 + (xx - c) ** 2 <= (size / 2.0) ** 2
    else:
        w = max(1, size // 3)
        lo = (size - w) // 2
        mask = np.zeros((size, size), bool)
        mask[lo:lo + w, :] = True
        mask[:, lo:lo + w] = True
    img[y0:y0 + size, x0:x0 + size][mask] += 1.0
    box = np.array([x0, y0, x0 + size, y0 + size], np.float32) / IMG
    return img, box, cls


class ShapesDataset(Dataset):
    def __init__(self, n, rng):
        imgs, boxes, labels = [], [], []
        for _ in range(n):
            im, b, c = draw_scene(rng)
            imgs.append(im)
            boxes.append([b])  # one annotated object per image
            labels.append(c)
        self.images = torch.tensor(np.stack(imgs)).unsqueeze(1)
        self.boxes = torch.tensor(np.array(boxes))
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i], self.boxes[i], self.labels[i]


class Localizer(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.trunk = nn.Sequential(nn.Flatten(), nn.Linear(16 * 6 * 6, 128), nn.ReLU())
        self.cls_head = nn.Linear(128, n_classes)
        self.box_head = nn.Linear(128, 4)

    def forward(self, x):
        h = self.trunk(self.features(x))
        return self.cls_head(h), torch.sigmoid(self.box_head(h))


def box_iou(a, b):
    lt = torch.maximum(a[:, :2], b[:, :2])
    rb = torch.minimum(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(1)
    return inter / (area_a + area_b - inter + 1e-9)


train_ds = ShapesDataset(1800, rng)
test_ds = ShapesDataset(500, rng)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)

model = Localizer()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
box_weight = 5.0

step = 0
for epoch in range(7):
    model.train()
    tot_cls = tot_box = 0.0
    for imgs, boxes, labels in train_loader:
        logits, pred_boxes = model(imgs)
        loss_cls = F.cross_entropy(logits, labels)
        loss_box = F.smooth_l1_loss(pred_boxes, boxes, beta=0.1)
        loss = loss_cls + box_weight * loss_box
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        tot_cls += loss_cls.item()
        tot_box += loss_box.item()
    nb = len(train_loader)
    print(f"epoch {epoch + 1} step {step}: cls loss {tot_cls / nb:.4f}  box loss {tot_box / nb:.4f}")

model.eval()
with torch.no_grad():
    logits, pred_boxes = model(test_ds.images)
    acc = (logits.argmax(1) == test_ds.labels).float().mean().item()
    iou = box_iou(pred_boxes, test_ds.boxes.reshape(-1, 4)).mean().item()
print(f"test: class acc {acc:.3f}  mean IoU {iou:.3f}")
