"""GRU classifier for three bands of noisy sinusoids (generated time series).

Seeded bug: the training split is generated class by class and concatenated, so it is
ordered by label, and the DataLoader is built with shuffle=False. Every batch of 32
holds a single class, and each epoch walks class 0 -> 1 -> 2, so Adam chases whichever
class it saw last instead of learning to separate them.

Measured (seed 7, 230 Adam steps): final train loss 1.116, test loss 1.100 (chance
ln 3 = 1.099), test accuracy 0.333 with every test series predicted as one class.
Fixed copy (shuffle=True, nothing else changed): train loss 0.307, test loss 0.294,
test accuracy 0.860.
"""
# traindebug-expect: unshuffled_data
import math
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
torch.set_num_threads(1)
np.random.seed(7)

SEQ_LEN = 32
N_PER_CLASS_TRAIN = 500
N_PER_CLASS_TEST = 150
CLASSES = ("low_freq", "mid_freq", "high_freq")


def synth_signals(n, band, rng):
    """Noisy sinusoids whose frequency lies in `band`, plus a slow drift."""
    t = np.arange(SEQ_LEN, dtype=np.float32)
    freqs = rng.uniform(*band, size=(n, 1))
    phase = rng.uniform(0, 2 * math.pi, size=(n, 1))
    amp = rng.uniform(0.6, 1.4, size=(n, 1))
    drift = rng.normal(0, 0.02, size=(n, 1)) * t
    x = amp * np.sin(2 * math.pi * freqs * t / SEQ_LEN + phase) + drift
    x += rng.normal(0, 0.35, size=x.shape)
    return x.astype(np.float32)


def build_split(n_per_class, rng):
    bands = [(1.0, 3.0), (2.5, 5.0), (4.5, 7.5)]
    xs, ys = [], []
    for label, band in enumerate(bands):
        xs.append(synth_signals(n_per_class, band, rng))
        ys.append(np.full(n_per_class, label, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


rng = np.random.default_rng(7)
x_train, y_train = build_split(N_PER_CLASS_TRAIN, rng)
x_test, y_test = build_split(N_PER_CLASS_TEST, rng)

mu, sd = x_train.mean(), x_train.std()
x_train = (x_train - mu) / sd
x_test = (x_test - mu) / sd

train_ds = TensorDataset(torch.from_numpy(x_train).unsqueeze(-1), torch.from_numpy(y_train))
test_ds = TensorDataset(torch.from_numpy(x_test).unsqueeze(-1), torch.from_numpy(y_test))
train_dl = DataLoader(train_ds, batch_size=32, shuffle=False, drop_last=True)
test_dl = DataLoader(test_ds, batch_size=256)


class GRUClassifier(nn.Module):
    def __init__(self, hidden=32, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


model = GRUClassifier()
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
loss_fn = nn.CrossEntropyLoss()


@torch.no_grad()
def evaluate(loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    per_class = np.zeros(3, dtype=np.int64)
    for xb, yb in loader:
        logits = model(xb)
        loss_sum += loss_fn(logits, yb).item() * len(yb)
        pred = logits.argmax(1)
        correct += (pred == yb).sum().item()
        total += len(yb)
        per_class += np.bincount(pred.numpy(), minlength=3)
    model.train()
    return loss_sum / total, correct / total, per_class


t0 = time.time()
EPOCHS = 5
step = 0
for epoch in range(EPOCHS):
    running = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        running += loss.item()
        step += 1
    te_loss, te_acc, pred_counts = evaluate(test_dl)
    print(f"epoch {epoch + 1}/{EPOCHS} steps={step} train_loss={running / len(train_dl):.4f} "
          f"test_loss={te_loss:.4f} test_acc={te_acc:.3f} predicted_per_class={pred_counts.tolist()}")

print(f"final test accuracy: {te_acc:.3f}  ({time.time() - t0:.1f}s)")
