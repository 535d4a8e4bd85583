"""Small 2-D CNN on the 8x8 sklearn digits, Adamax.

Seeded bug (label_problem): images and labels are split with two separate
train_test_split calls; the image split uses stratify=labels while the label split
does not, so although both use the same random_state they draw different permutations.
The training (and test) labels are therefore misaligned with the images and carry no
information about them.

Measured (290 steps): buggy train loss 2.308 -> 2.302 (ln 10 = 2.303), test acc 0.080.
Fixed (one split call / same stratify in both): train loss 2.305 -> 0.615,
test acc 0.858."""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEED = 7
TEST_SIZE = 0.25


def load_images():
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0  # (n, 8, 8), pixel range 0..16
    return images, digits.target.astype(np.int64)


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def iterate(x, y, bs, rng):
    order = rng.permutation(len(x))
    for i in range(0, len(x), bs):
        j = order[i:i + bs]
        yield x[j], y[j]


def main():
    images, labels = load_images()
    x_train, x_test = train_test_split(images, test_size=TEST_SIZE, random_state=SEED, stratify=labels)
    y_train, y_test = train_test_split(labels, test_size=TEST_SIZE, random_state=SEED)

    xtr = torch.from_numpy(x_train).unsqueeze(1)
    xte = torch.from_numpy(x_test).unsqueeze(1)
    ytr = torch.from_numpy(y_train)
    yte = torch.from_numpy(y_test)
    print(f"train {tuple(xtr.shape)} test {tuple(xte.shape)} classes {int(ytr.max()) + 1}")

    model = SmallCNN()
    opt = torch.optim.Adamax(model.parameters(), lr=4e-3)
    rng = np.random.default_rng(0)
    step = 0
    for epoch in range(10):
        model.train()
        losses = []
        for xb, yb in iterate(xtr, ytr, 48, rng):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        if epoch % 3 == 0 or epoch == 9:
            print(f"epoch {epoch} steps {step} loss {np.mean(losses):.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    main()
