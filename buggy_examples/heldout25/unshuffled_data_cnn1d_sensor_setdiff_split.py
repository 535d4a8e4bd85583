"""1-D CNN classifying generated sensor signals (sine / square / sawtooth / burst).

Seeded bug (unshuffled_data): the data are generated class by class; the validation
indices are drawn at random, but the training indices come from np.setdiff1d, which
returns them sorted, so the training set is ordered by class. The DataLoader uses
shuffle=False ("indices already random"), so every batch holds a single class and the
model is dragged from class to class within each epoch.
Measured (224 Adam steps): val accuracy 0.191 (predicts one class only), train loss
stuck at ~1.39. Fixed copy (shuffle=True): val accuracy 0.957, train loss 0.21.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
rng = np.random.default_rng(5)
torch.manual_seed(5)

SEQ_LEN = 128
PER_CLASS = 320
CLASSES = ["sine", "square", "sawtooth", "burst"]


def gen_class(kind, n):
    t = np.linspace(0, 1, SEQ_LEN)[None, :]
    f = rng.uniform(3, 7, (n, 1))
    ph = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.6, 1.4, (n, 1))
    arg = 2 * np.pi * f * t + ph
    if kind == "sine":
        s = np.sin(arg)
    elif kind == "square":
        s = np.sign(np.sin(arg)) * 0.8
    elif kind == "sawtooth":
        s = 2 * ((arg / (2 * np.pi)) % 1.0) - 1
    else:
        env = np.exp(-((t - rng.uniform(0.2, 0.8, (n, 1))) ** 2) / 0.01)
        s = np.sin(3 * arg) * env * 2
    return amp * s + rng.normal(0, 0.45, (n, SEQ_LEN))


# recorded session by session, one activity type at a time
X = np.concatenate([gen_class(k, PER_CLASS) for k in CLASSES]).astype(np.float32)
y = np.repeat(np.arange(len(CLASSES)), PER_CLASS)

# hold out a random 20% of recordings for validation
all_idx = np.arange(len(y))
val_idx = rng.choice(all_idx, size=len(y) // 5, replace=False)
train_idx = np.setdiff1d(all_idx, val_idx)

Xtr = torch.from_numpy(X[train_idx]).unsqueeze(1)
ytr = torch.from_numpy(y[train_idx])
Xva = torch.from_numpy(X[val_idx]).unsqueeze(1)
yva = torch.from_numpy(y[val_idx])

# indices were drawn at random above, no need to shuffle again
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=False)


class SignalCNN(nn.Module):
    def __init__(self, n_cls):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 24, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 32, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Linear(32, n_cls)

    def forward(self, x):
        h = self.features(x).mean(dim=-1)
        return self.classifier(h)


model = SignalCNN(len(CLASSES))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()

steps = 0
for epoch in range(7):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
        steps += 1
    model.eval()
    with torch.no_grad():
        pred = model(Xva).argmax(1)
    acc = (pred == yva).float().mean().item()
    per_cls = [(pred[yva == c] == c).float().mean().item() for c in range(len(CLASSES))]
    print(f"epoch {epoch} steps {steps} train_loss {total / len(ytr):.3f} val_acc {acc:.3f} "
          f"per-class {' '.join(f'{a:.2f}' for a in per_cls)}")
