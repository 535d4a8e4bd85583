"""Small CNN on sklearn digits that bilinearly upsamples the 8x8 images to 16x16
with F.interpolate; the training set is augmented class by class with random
affine jitter (affine_grid + grid_sample). argparse config, SGD+Nesterov, 174 steps.

Seeded bug: AugmentedDigits builds its tensors by concatenating one class after the
other, and the DataLoader is created without shuffle=True, so every batch holds a
single class (or two at a boundary) and the classes arrive in a fixed 0..9 order
each epoch. Each block of ~6 steps drags the classifier to the current class; at
the end of every epoch the model predicts only the last class seen. Measured:
test accuracy 0.100 with 1 distinct predicted class after each of the 3 epochs,
mean batch loss 2.6 -> 3.0. Fixed copy (shuffle=True): loss 1.66 -> 0.157,
test accuracy 0.959, all 10 classes predicted.
"""
# traindebug-expect: unshuffled_data
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


def random_affine(imgs, max_rot=0.2, max_shift=0.1, gen=None):
    """Small random rotations/translations applied with affine_grid + grid_sample."""
    n = imgs.shape[0]
    ang = (torch.rand(n, generator=gen) * 2 - 1) * max_rot
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * max_shift
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(ang), -torch.sin(ang)
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(ang), torch.cos(ang)
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, imgs.shape, align_corners=False)
    return F.grid_sample(imgs, grid, padding_mode="zeros", align_corners=False)


class AugmentedDigits(Dataset):
    """Expands every class with `copies` jittered versions of each image."""

    def __init__(self, X, y, copies=2, seed=0):
        gen = torch.Generator().manual_seed(seed)
        imgs = torch.from_numpy(X).float().view(-1, 1, 8, 8)
        labels = torch.from_numpy(y).long()
        chunks, targets = [], []
        for c in labels.unique():
            base = imgs[labels == c]
            group = [base] + [random_affine(base, gen=gen) for _ in range(copies)]
            group = torch.cat(group)
            chunks.append(group)
            targets.append(torch.full((len(group),), int(c)))
        self.images = torch.cat(chunks)
        self.targets = torch.cat(targets)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return self.images[i], self.targets[i]


class UpsampleCNN(nn.Module):
    def __init__(self, width=8, size=16):
        super().__init__()
        self.size = size
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(2 * width * (size // 4) ** 2, 10)

    def forward(self, x):
        x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        return self.head(self.features(x).flatten(1))


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse()
    torch.manual_seed(args.seed)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=args.seed, stratify=y)
    train_ds = AugmentedDigits(Xtr, ytr, copies=2, seed=args.seed)
    loader = DataLoader(train_ds, batch_size=args.batch_size, drop_last=True)
    Xte_t = torch.from_numpy(Xte).view(-1, 1, 8, 8)
    yte_t = torch.from_numpy(yte)

    model = UpsampleCNN()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    steps = 0
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        model.eval()
        with torch.no_grad():
            pred = model(Xte_t).argmax(1)
        acc = (pred == yte_t).float().mean().item()
        n_pred_classes = len(pred.unique())
        print(f"epoch {epoch} mean_batch_loss {total / len(loader):.3f} test_acc {acc:.3f} "
              f"distinct_predicted_classes {n_pred_classes}")
    print("steps", steps)


if __name__ == "__main__":
    main()
