"""
Semi-supervised digits CNN (sklearn load_digits, 8x8): nn.Sequential 2-conv CNN, 30 labelled
images per class (300) plus ~960 unlabelled images, confidence-thresholded pseudo-labelling
(FixMatch-style: threshold 0.95, random 1-pixel shift augmentation, ramped unsupervised weight).
Adam lr 2e-3, labelled batch 20, 12 epochs (180 steps), manual batching loop.

Seeded bug: the labelled set is built by concatenating the first 30 indices of each class, so it
is ordered 0,0,...,1,1,...,9, and the loop walks it in slices without permuting. Every labelled
batch (20 images) contains one or two classes, so each update pushes the classifier towards the
current class; pseudo-labels rarely pass the threshold. Realistic: the pool was already shuffled
by train_test_split, so the author assumed sequential slicing was fine.

Measured (seed 0, 1 thread): buggy final labelled loss 2.054, test loss 2.059, test accuracy
0.507 (no pseudo-labels accepted); fixed copy (per-epoch permutation of the labelled set)
labelled loss 0.461, test loss 0.474, test accuracy 0.880. Runtime ~10 s CPU.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_LABELLED_PER_CLASS = 30
BATCH = 20
UNLAB_BATCH = 50
EPOCHS = 12
THRESHOLD = 0.95
LAMBDA_MAX = 1.0
RAMP_STEPS = 60

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]
y = digits.target.astype(np.int64)
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

# A small labelled set with the same number of examples from every class; the rest is unlabelled.
lab_idx = np.concatenate([np.flatnonzero(y_pool == c)[:N_LABELLED_PER_CLASS] for c in range(10)])
unlab_idx = np.setdiff1d(np.arange(len(y_pool)), lab_idx)
X_lab, y_lab = torch.from_numpy(X_pool[lab_idx]), torch.from_numpy(y_pool[lab_idx])
X_unlab = torch.from_numpy(X_pool[unlab_idx])
X_test, y_test = torch.from_numpy(X_test), torch.from_numpy(y_test)
print(f"labelled {len(X_lab)}  unlabelled {len(X_unlab)}  test {len(X_test)}")

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Linear(64, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)


def augment(x):
    # random 1-pixel translation
    dx, dy = rng.integers(-1, 2, size=2)
    return torch.roll(x, shifts=(int(dx), int(dy)), dims=(2, 3))


step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    n_pseudo = 0
    for i in range(0, len(X_lab), BATCH):
        xb, yb = X_lab[i:i + BATCH], y_lab[i:i + BATCH]
        sup_loss = F.cross_entropy(model(augment(xb)), yb)

        ub = X_unlab[torch.from_numpy(rng.choice(len(X_unlab), UNLAB_BATCH, replace=False))]
        with torch.no_grad():
            probs = F.softmax(model(ub), dim=1)
            conf, pseudo = probs.max(dim=1)
            keep = conf > THRESHOLD
        if keep.any():
            unsup_loss = F.cross_entropy(model(augment(ub[keep])), pseudo[keep])
        else:
            unsup_loss = torch.zeros(())
        lam = LAMBDA_MAX * min(1.0, step / RAMP_STEPS)
        loss = sup_loss + lam * unsup_loss

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        n_pseudo += int(keep.sum())

    model.eval()
    with torch.no_grad():
        train_loss = F.cross_entropy(model(X_lab), y_lab).item()
        logits = model(X_test)
        test_loss = F.cross_entropy(logits, y_test).item()
        test_acc = (logits.argmax(1) == y_test).float().mean().item()
    if epoch % 3 == 0 or epoch == 1:
        print(f"epoch {epoch:2d} step {step:3d} labelled_loss {train_loss:.4f} pseudo/epoch {n_pseudo:4d} "
              f"test_loss {test_loss:.4f} test_acc {test_acc:.4f}")

print(f"final: labelled_loss {train_loss:.4f} test_loss {test_loss:.4f} test_acc {test_acc:.4f}")
