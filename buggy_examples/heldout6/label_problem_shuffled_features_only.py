"""Digits MLP with a custom Dataset, Adagrad, manual hold-out split.

Seeded bug (label_problem): before the hold-out split the script does
`rng.shuffle(images)`, which permutes the feature rows in place while `labels` keeps its
original order. Every image is now paired with the label of some other image, so the
labels carry no information about the inputs.

Measured (12 epochs, 276 steps): train loss 2.305 -> 2.247, train_acc 0.158, val_acc
0.111 (chance 0.10).
Fixed copy (one permutation applied to images and labels together): train loss 0.029,
val_acc 0.967.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset
from sklearn.datasets import load_digits

SEED = 2024
VAL_FRACTION = 0.2
EPOCHS = 12
BATCH = 64


class DigitsDataset(Dataset):
    def __init__(self, images, labels, augment=False):
        self.images = torch.as_tensor(images, dtype=torch.float32)
        self.labels = torch.as_tensor(labels, dtype=torch.long)
        self.augment = augment

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.images[i]
        if self.augment:
            x = x + 0.02 * torch.randn_like(x)
        return x, self.labels[i]


class MLP(nn.Module):
    def __init__(self, d_in=64, d_hidden=(128, 64), n_out=10):
        super().__init__()
        dims = (d_in,) + tuple(d_hidden)
        self.body = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(dims[-1], n_out)
        self.act = nn.GELU()

    def forward(self, x):
        for layer in self.body:
            x = self.act(layer(x))
        return self.out(x)


def accuracy(model, loader):
    model.eval()
    hits = total = 0
    with torch.no_grad():
        for xb, yb in loader:
            hits += (model(xb).argmax(1) == yb).sum().item()
            total += len(yb)
    return hits / total


def main():
    rng = np.random.default_rng(SEED)
    torch.manual_seed(SEED)

    digits = load_digits()
    images = digits.data / 16.0
    labels = digits.target

    # random hold-out split
    rng.shuffle(images)
    n_val = int(len(images) * VAL_FRACTION)
    x_val, y_val = images[:n_val], labels[:n_val]
    x_tr, y_tr = images[n_val:], labels[n_val:]

    train_dl = DataLoader(DigitsDataset(x_tr, y_tr, augment=True), batch_size=BATCH, shuffle=True)
    val_dl = DataLoader(DigitsDataset(x_val, y_val), batch_size=256)

    model = MLP()
    opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
    crit = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        model.train()
        tot = 0.0
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
        if epoch % 2 == 1:
            print(f"epoch {epoch + 1:2d} loss {tot / len(train_dl.dataset):.4f} "
                  f"train_acc {accuracy(model, train_dl):.3f} val_acc {accuracy(model, val_dl):.3f}")


if __name__ == "__main__":
    main()
