"""Small 2-D CNN (conv16-conv32-maxpool-fc64-fc10, ReLU) on sklearn digits reshaped to 1x8x8 and
scaled to [0,1]; hand-written shuffled minibatches of 48, Adam lr 1e-3, 8 epochs (232 steps),
cross-entropy; train/test accuracy printed each epoch.

Seeded bug: the training loop writes `optimizer.zero_grad` without the call parentheses. The
attribute access is a silent no-op, so .grad is never reset and each step uses the running sum
of every gradient since the start of training. Adam normalises the magnitude, but the update
direction is dominated by stale gradients, so training oscillates and converges far more slowly.

Measured (plain python, 1 thread): final test loss 0.477 / test accuracy 0.873 (train loss
0.673) buggy vs test loss 0.191 / test accuracy 0.949 (train loss 0.126) for the fixed copy
with optimizer.zero_grad().
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class SmallDigitCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 64)
        self.out = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc(x.flatten(1)))
        return self.out(x)


def batches(X, y, bs, shuffle=True):
    idx = np.random.permutation(len(X)) if shuffle else np.arange(len(X))
    for i in range(0, len(X), bs):
        j = idx[i:i + bs]
        yield X[j], y[j]


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    model.train()
    return acc


digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

model = SmallDigitCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

step = 0
for epoch in range(8):
    epoch_loss, n = 0.0, 0
    for xb, yb in batches(X_tr, y_tr, bs=48):
        optimizer.zero_grad
        logits = model(xb)
        loss = criterion(logits, yb)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(xb)
        n += len(xb)
        step += 1
    print(f"epoch {epoch + 1}  step {step}  train loss {epoch_loss / n:.4f}  "
          f"train acc {accuracy(model, X_tr, y_tr):.3f}  test acc {accuracy(model, X_te, y_te):.3f}")

with torch.no_grad():
    test_loss = criterion(model(X_te), y_te).item()
print(f"final test loss {test_loss:.4f}  test accuracy {accuracy(model, X_te, y_te):.3f}")
