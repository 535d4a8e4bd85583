"""
Learning with noisy labels: 6-class tabular problem from make_classification (24 features),
train labels corrupted with 30% class-conditional "pair-flip" noise (class c -> c+1) to mimic
annotator confusion, MLP 24-128-128-6 trained with the soft bootstrapping loss of Reed et al.
(target = beta * noisy one-hot + (1 - beta) * model prediction, beta = 0.8), AdamW lr 2e-3,
DataLoader batch 64, 8 epochs (248 steps), accuracy on a clean held-out split.

Seeded bug: the noise helper `corrupt_pairflip` builds the noisy label vector by looping over
classes and concatenating each class's (partly flipped) labels. The result has the right
length and label histogram, but it is grouped by class instead of being in the row order of
X_train, so the training labels are essentially unrelated to the features. A typical
"np.concatenate instead of writing back through the mask" mistake; nothing crashes.

Measured (seed 0, 1 thread): buggy: train loss 1.79 -> 1.58 (slow memorisation), clean test
accuracy 0.148 (chance ~0.17). Fixed copy (labels written back in place, out[m] = lab_c):
train loss 1.53 -> 0.72 and clean test accuracy 0.716 (30% pair-flip noise limits it).
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_CLASSES = 6
NOISE = 0.3
BETA = 0.8
EPOCHS = 8

X, y = make_classification(n_samples=2500, n_features=24, n_informative=14, n_redundant=4,
                           n_classes=N_CLASSES, n_clusters_per_class=2, class_sep=2.0,
                           random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0,
                                                    stratify=y)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)


def corrupt_pairflip(labels, rate, n_classes, rng):
    """Flip a fraction `rate` of each class c to class (c + 1) % n_classes."""
    parts = []
    for c in range(n_classes):
        lab_c = labels[labels == c].copy()
        flip = rng.random(len(lab_c)) < rate
        lab_c[flip] = (c + 1) % n_classes
        parts.append(lab_c)
    return np.concatenate(parts)


y_noisy = corrupt_pairflip(y_train, NOISE, N_CLASSES, rng)
print(f"label histogram after corruption: {np.bincount(y_noisy, minlength=N_CLASSES)}")

train_ds = TensorDataset(torch.tensor(X_train, dtype=torch.float32),
                         torch.tensor(y_noisy, dtype=torch.long))
loader = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
X_te = torch.tensor(X_test, dtype=torch.float32)
y_te = torch.tensor(y_test, dtype=torch.long)

model = nn.Sequential(
    nn.Linear(24, 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, N_CLASSES),
)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)


def soft_bootstrap_loss(logits, target, beta):
    log_p = F.log_softmax(logits, dim=1)
    soft = beta * F.one_hot(target, logits.size(1)).float() + (1 - beta) * log_p.exp().detach()
    return -(soft * log_p).sum(dim=1).mean()


for epoch in range(EPOCHS):
    model.train()
    total, n = 0.0, 0
    for xb, yb in loader:
        loss = soft_bootstrap_loss(model(xb), yb, BETA)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
        n += len(xb)
    if epoch % 2 == 0 or epoch == EPOCHS - 1:
        model.eval()
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d}  train loss {total / n:.4f}  clean test acc {acc:.3f}")

print(f"final clean test accuracy {acc:.3f}")
