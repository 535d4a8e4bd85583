"""SimCLR-style contrastive pre-training on 8x8 digits, followed by a linear probe.

Data: sklearn load_digits scaled to [0, 1].  600 images form the unlabelled
pre-training set, 400 other images a validation set for the contrastive loss, and the
remaining 797 images are used for the linear probe (397 probe-train / 400 probe-test).
Augmentations: random +-1 pixel translation, random pixel drop-out (20 %), brightness
jitter and Gaussian noise.  Encoder: custom nn.Module MLP 64-256-256 (ReLU) with a
256-128-64 projection head; NT-Xent / InfoNCE loss, temperature 0.2.  Adam lr 1e-3,
batch 64, 30 epochs (300 steps), small Trainer class with epoch-end callbacks that log
the validation InfoNCE under torch.no_grad().  Probe: logistic regression (sklearn) on
frozen 256-d encoder features.  seed 0.

Seeded bug: the pair dataset builds its two augmented views once, in __init__ ("cache
the augmentations so the epoch loop is cheap"), instead of in __getitem__.  The encoder
therefore sees the same 600 fixed view pairs every epoch and learns to recognise those
specific pairs: the training InfoNCE keeps falling (4.8 -> 1.3) while the validation
InfoNCE (fresh augmentations of unseen images, same batch size) turns around after a
few epochs and rises.  Correct: augment inside __getitem__ so every epoch draws new
views.

Measured (seed 0, ~6-8 s CPU for the training part): buggy final train InfoNCE 1.31,
val InfoNCE 4.64 (its minimum 4.36 at epoch 7, rising ever since), probe test accuracy
0.955; fixed copy (views drawn in __getitem__): train 3.45, val 3.57 (still falling,
best 3.51 at epoch 29), probe test accuracy 0.953 - the damage shows in the held-out
contrastive loss, the 8x8 digits probe is too easy to separate the two.
"""
# traindebug-expect: overfitting
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32)  # (N, 8, 8)
labels = digits.target
perm = np.random.permutation(len(images))
pre_idx, val_idx, probe_idx = perm[:600], perm[600:1000], perm[1000:]


def augment(img):
    """img: (8, 8) -> augmented (8, 8)."""
    dx, dy = np.random.randint(-1, 2, size=2)
    out = torch.roll(img, shifts=(int(dy), int(dx)), dims=(0, 1))
    keep = (torch.rand_like(out) > 0.2).float()
    out = out * keep * np.random.uniform(0.7, 1.3)
    out = out + 0.1 * torch.randn_like(out)
    return out


class TwoViewDataset(Dataset):
    def __init__(self, imgs):
        self.imgs = imgs
        self.views = [(augment(x), augment(x)) for x in imgs]

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, i):
        a, b = self.views[i]
        return a.flatten(), b.flatten()


class Encoder(nn.Module):
    def __init__(self, d_in=64, d_hid=256, d_proj=64):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Linear(d_in, d_hid), nn.ReLU(),
            nn.Linear(d_hid, d_hid), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(d_hid, 128), nn.ReLU(), nn.Linear(128, d_proj))

    def forward(self, x):
        return self.head(self.backbone(x))

    def features(self, x):
        return self.backbone(x)


def nt_xent(z1, z2, tau=0.2):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / tau
    n = z1.shape[0]
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


class Trainer:
    def __init__(self, model, optimizer, callbacks=()):
        self.model, self.optimizer = model, optimizer
        self.callbacks = list(callbacks)
        self.history = []
        self.step = 0

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            total, n = 0.0, 0
            for v1, v2 in loader:
                loss = nt_xent(self.model(v1), self.model(v2))
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(v1)
                n += len(v1)
                self.step += 1
            logs = {"epoch": epoch + 1, "train_loss": total / n}
            for cb in self.callbacks:
                cb(self, logs)
            self.history.append(logs)
        return self.history


class ValidationLoss:
    def __init__(self, imgs, seed=123):
        g = np.random.get_state()
        np.random.seed(seed)
        self.v1 = torch.stack([augment(x).flatten() for x in imgs])
        self.v2 = torch.stack([augment(x).flatten() for x in imgs])
        np.random.set_state(g)

    def __call__(self, trainer, logs):
        trainer.model.eval()
        losses = []
        with torch.no_grad():
            # same batch size as training so the two InfoNCE values are comparable
            for i in range(0, len(self.v1) - 63, 64):
                z1, z2 = trainer.model(self.v1[i:i + 64]), trainer.model(self.v2[i:i + 64])
                losses.append(nt_xent(z1, z2).item())
        logs["val_loss"] = float(np.mean(losses))


class PrintEvery:
    def __init__(self, every=5):
        self.every = every

    def __call__(self, trainer, logs):
        if logs["epoch"] % self.every == 0 or logs["epoch"] == 1:
            print(f"epoch {logs['epoch']:2d} step {trainer.step:3d} "
                  f"train InfoNCE {logs['train_loss']:.4f} val InfoNCE {logs['val_loss']:.4f}")


t0 = time.process_time()
loader = DataLoader(TwoViewDataset(images[pre_idx]), batch_size=64, shuffle=True, drop_last=True)
model = Encoder()
trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=1e-3),
                  callbacks=[ValidationLoss(images[val_idx]), PrintEvery(5)])
hist = trainer.fit(loader, epochs=30)

best = min(hist, key=lambda h: h["val_loss"])
print(f"best val InfoNCE {best['val_loss']:.4f} at epoch {best['epoch']}")

model.eval()
with torch.no_grad():
    feats = model.features(images[probe_idx].flatten(1)).numpy()
y = labels[probe_idx]
feats = (feats - feats[:397].mean(0)) / (feats[:397].std(0) + 1e-6)
probe = LogisticRegression(max_iter=500).fit(feats[:397], y[:397])
print(f"final train InfoNCE {hist[-1]['train_loss']:.4f} val InfoNCE {hist[-1]['val_loss']:.4f} "
      f"probe test acc {probe.score(feats[397:], y[397:]):.3f}")
print(f"cpu time {time.process_time() - t0:.1f}s")
