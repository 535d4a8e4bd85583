"""1-D CNN classifying synthetic waveforms (sine / square / sawtooth / chirp), SGD + momentum.

Seeded bug (unshuffled_data): the training set is generated class by class and
concatenated, and the DataLoader uses shuffle=False. Every batch contains a single
class and each epoch walks through the classes in order, so the network chases the
current class and forgets the others.

Measured (6 epochs, 300 steps): mean train loss 1.84 -> 2.66, val_acc 0.250 (the
model predicts one class, the last ones seen, for all 400 validation signals).
Fixed copy (shuffle=True): train loss 0.017, val_acc 0.995.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
rng = np.random.default_rng(1)

CLASSES = ["sine", "square", "sawtooth", "chirp"]
PER_CLASS_TRAIN, PER_CLASS_VAL, LENGTH = 400, 100, 128


def synth(kind, n):
    t = np.linspace(0, 1, LENGTH)
    f = rng.uniform(3, 9, size=(n, 1))
    ph = rng.uniform(0, 2 * np.pi, size=(n, 1))
    if kind == "sine":
        s = np.sin(2 * np.pi * f * t + ph)
    elif kind == "square":
        s = np.sign(np.sin(2 * np.pi * f * t + ph))
    elif kind == "sawtooth":
        s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
    else:
        s = np.sin(2 * np.pi * (f * t + 6 * t ** 2) + ph)
    s = s * rng.uniform(0.6, 1.4, size=(n, 1)) + rng.normal(0, 0.35, size=(n, LENGTH))
    return s.astype(np.float32)


def build_split(per_class):
    xs, ys = [], []
    for label, kind in enumerate(CLASSES):
        xs.append(synth(kind, per_class))
        ys.append(np.full(per_class, label))
    return torch.from_numpy(np.concatenate(xs))[:, None, :], torch.from_numpy(np.concatenate(ys)).long()


x_tr, y_tr = build_split(PER_CLASS_TRAIN)
x_va, y_va = build_split(PER_CLASS_VAL)

train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=32, shuffle=False, drop_last=True)
val_loader = DataLoader(TensorDataset(x_va, y_va), batch_size=200)

net = nn.Sequential(
    nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
    nn.Flatten(), nn.Linear(32, len(CLASSES)),
)
optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(6):
    net.train()
    losses = []
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(net(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    net.eval()
    correct = 0
    pred_hist = np.zeros(len(CLASSES), dtype=int)
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = net(xb).argmax(1)
            correct += (pred == yb).sum().item()
            pred_hist += np.bincount(pred.numpy(), minlength=len(CLASSES))
    print(f"epoch {epoch + 1}  mean_train_loss {np.mean(losses):.4f}  "
          f"val_acc {correct / len(y_va):.3f}  val_pred_counts {pred_hist.tolist()}")
