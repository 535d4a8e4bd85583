"""1-D CNN for 5-class synthetic accelerometer gestures.

Seeded bug (unshuffled_data): the dataset is built class by class ("one folder per
gesture") and the training DataLoader is created without shuffle=True. Every batch
holds a single class, and each epoch walks through the classes in order, so the
model is pulled toward whichever class it saw last.

Measured (10 epochs, 320 steps): final train_loss 0.341, test_acc 0.847 (0.200 after
epoch 1). The fixed copy (shuffle=True) gets train_loss 0.022, test_acc 0.987.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(11)

GESTURES = ["swipe_left", "swipe_right", "circle", "tap", "shake"]
SEQ_LEN, N_CH = 64, 3


def synth_gesture(kind, rng):
    t = np.linspace(0, 1, SEQ_LEN)
    x = np.zeros((N_CH, SEQ_LEN))
    if kind == "swipe_left":
        x[0] = -np.tanh(8 * (t - 0.5))
    elif kind == "swipe_right":
        x[0] = np.tanh(8 * (t - 0.5))
    elif kind == "circle":
        x[0], x[1] = np.cos(2 * np.pi * t), np.sin(2 * np.pi * t)
    elif kind == "tap":
        x[2] = np.exp(-((t - rng.uniform(0.3, 0.7)) ** 2) / 0.002)
    elif kind == "shake":
        x[1] = 0.8 * np.sin(2 * np.pi * 9 * t)
    x *= rng.uniform(0.7, 1.3)
    x = np.roll(x, rng.integers(-6, 7), axis=1)
    return (x + 0.6 * rng.normal(size=x.shape)).astype(np.float32)


class GestureDataset(Dataset):
    """Recordings are stored one folder per gesture, loaded folder by folder."""

    def __init__(self, n_per_class, seed):
        rng = np.random.default_rng(seed)
        xs, ys = [], []
        for label, g in enumerate(GESTURES):
            for _ in range(n_per_class):
                xs.append(synth_gesture(g, rng))
                ys.append(label)
        self.x = torch.from_numpy(np.stack(xs))
        self.y = torch.tensor(ys)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class GestureCNN(nn.Module):
    def __init__(self, n_classes=len(GESTURES)):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(N_CH, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(8))
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(64 * 8, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.fc(self.conv(x))


train_ds = GestureDataset(n_per_class=200, seed=0)
test_ds = GestureDataset(n_per_class=60, seed=1)
train_dl = DataLoader(train_ds, batch_size=32)
test_dl = DataLoader(test_ds, batch_size=256)

model = GestureCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(10):
    model.train()
    total = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test_dl:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch+1:2d}  train_loss {total/len(train_ds):.4f}  test_acc {correct/len(test_ds):.3f}")
