"""
Healthy control: spatial transformer classifier on load_digits digits placed at random
offsets on an empty 14x14 canvas. Localisation net (conv + pool + Linear 392-32) predicts an
affine theta; F.affine_grid / F.grid_sample resample a 10x10 glimpse fed to a small CNN
classifier (BatchNorm, ReLU). Adam lr 2e-3, batch 40, 10 epochs (340 steps).

Possible false alarm: following the original STN recipe, the final theta layer is
zero-initialised (weight = 0, bias = identity transform), which looks like a symmetric /
constant initialisation; at the start the localisation layers get small gradients and the
loss plateaus for the first epoch before falling. Both are intended: the transform starts
at identity and is learned from there.

Measured (seed 0, 1 thread): train loss 2.20 -> 0.19, test loss 0.37, test acc 0.89
(0.26 after epoch 0).
"""
# traindebug-expect: clean
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CANVAS = 14


def place_on_canvas(imgs, rng):
    """Put each 8x8 digit at a random offset on an empty 14x14 canvas."""
    out = np.zeros((len(imgs), 1, CANVAS, CANVAS), dtype=np.float32)
    for k, im in enumerate(imgs):
        r, c = rng.integers(0, CANVAS - 8 + 1, size=2)
        out[k, 0, r:r + 8, c:c + 8] = im
    return out


class STNClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.loc = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
            nn.Flatten(), nn.Linear(8 * 7 * 7, 32), nn.ReLU(),
        )
        self.theta = nn.Linear(32, 6)
        # start from the identity transform
        nn.init.zeros_(self.theta.weight)
        with torch.no_grad():
            self.theta.bias.copy_(torch.tensor([1.0, 0, 0, 0, 1.0, 0]))
        self.classifier = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveMaxPool2d(2),
            nn.Flatten(), nn.Linear(128, 10),
        )

    def forward(self, x):
        theta = self.theta(self.loc(x)).view(-1, 2, 3)
        grid = F.affine_grid(theta, (x.size(0), 1, 10, 10), align_corners=False)
        return self.classifier(F.grid_sample(x, grid, align_corners=False))


def main():
    t0 = time.process_time()
    rng = np.random.default_rng(0)
    X, y = load_digits(return_X_y=True)
    X = place_on_canvas((X / 16.0).reshape(-1, 8, 8), rng)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
    y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

    model = STNClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    bs, step = 40, 0
    for epoch in range(10):
        model.train()
        perm = torch.randperm(len(X_tr))
        tot = 0.0
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            step += 1
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            te_acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch}  step {step}  train loss {tot / len(X_tr):.4f}  test loss {te_loss:.4f}  test acc {te_acc:.4f}")
    print(f"final test acc {te_acc:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
