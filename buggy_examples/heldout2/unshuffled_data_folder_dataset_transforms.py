"""Seeded bug: a torch Dataset that mimics an image-folder layout (one
"folder" per class, files listed folder by folder) with a transform
pipeline (random shift + noise + normalisation); the DataLoader is built
with shuffle=False (copied from the validation loader), so every batch holds
a single class and the model chases the class of the current batch. With
SGD the run collapses to one class (accuracy 0.1 on the whole set) vs
~0.97 with shuffle=True (measured)."""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Dataset


class RandomShift:
    def __init__(self, max_shift=1):
        self.max_shift = max_shift

    def __call__(self, img):
        dx, dy = np.random.randint(-self.max_shift, self.max_shift + 1, 2)
        return torch.roll(img, shifts=(int(dx), int(dy)), dims=(1, 2))


class AddNoise:
    def __call__(self, img):
        return img + 0.05 * torch.randn_like(img)


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, img):
        return (img - self.mean) / self.std


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class DigitFolder(Dataset):
    """Files enumerated class folder by class folder, as os.listdir over class dirs would."""

    def __init__(self, images, labels, transform=None):
        self.samples = [(images[i], int(labels[i])) for c in range(10) for i in np.flatnonzero(labels == c)]
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        img, label = self.samples[i]
        img = torch.tensor(img, dtype=torch.float32).reshape(1, 8, 8) / 16.0
        if self.transform:
            img = self.transform(img)
        return img, label


np.random.seed(0)
torch.manual_seed(0)
images, labels = load_digits(return_X_y=True)
train_tf = Compose([RandomShift(), AddNoise(), Normalize(0.3, 0.4)])
train_loader = DataLoader(DigitFolder(images, labels, train_tf), batch_size=32, shuffle=False)  # BUG
model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 16, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(6):
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    with torch.no_grad():
        x_all = (torch.tensor(images, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0 - 0.3) / 0.4
        acc = (model(x_all).argmax(1) == torch.tensor(labels)).float().mean().item()
    print(epoch, round(loss.item(), 3), "acc", round(acc, 3))
