"""
Temporal convolutional network (3 dilated causal Conv1d blocks with BatchNorm1d, ReLU and
dropout 0.2, global average pooling, linear head) classifying synthetic 3-axis sensor windows
(length 96) into 4 machine states: two vibration frequencies x two vibration amplitudes, plus
drift and noise. Adam lr 2e-3, batch 32, 6 epochs (180 steps) on 960 windows. After every
epoch the model is scored the way it will be deployed: windows arrive one at a time from a
stream and are classified individually (batch size 1).

Seeded bug: the evaluation helper switches modes with `model.eval` (attribute access, missing
parentheses) and later `model.train` in the same way, so both lines are silent no-ops and the
network is evaluated in training mode. With one window per forward pass the BatchNorm layers
normalise each window with its own per-channel statistics (dividing out exactly the amplitude
that separates the high/low-vibration states) and dropout is active, so the streaming accuracy
is much worse than what the trained weights can do. (The running statistics are also
overwritten with single-window statistics at every evaluation.)

Measured (seed 0, 1 thread): Buggy: final train loss 0.107, streaming test accuracy 0.33
(0.37-0.39 in earlier epochs). Fixed copy (`model.eval()` / `model.train()`): final train
loss 0.079, streaming test accuracy 1.00.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

LENGTH = 96


def make_windows(n, rng):
    t = np.arange(LENGTH)
    x = np.empty((n, 3, LENGTH), dtype=np.float32)
    y = rng.integers(0, 4, n)
    for i in range(n):
        freq = 0.05 if y[i] % 2 == 0 else 0.12
        amp = 0.5 if y[i] < 2 else 1.5
        phase = rng.uniform(0, 2 * np.pi, size=(3, 1))
        gains = rng.uniform(0.7, 1.3, size=(3, 1))
        drift = rng.normal(0, 0.3, size=(3, 1)) * t / LENGTH
        x[i] = amp * gains * np.sin(2 * np.pi * freq * t + phase) + drift + rng.normal(0, 0.3, (3, LENGTH))
    return torch.from_numpy(x), torch.from_numpy(y)


rng = np.random.default_rng(0)
x_train, y_train = make_windows(960, rng)
x_test, y_test = make_windows(200, rng)
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)


class CausalBlock(nn.Module):
    def __init__(self, c_in, c_out, dilation, kernel_size=3, p_drop=0.2):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(c_in, c_out, kernel_size, dilation=dilation)
        self.bn = nn.BatchNorm1d(c_out)
        self.drop = nn.Dropout(p_drop)
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x):
        h = self.conv(F.pad(x, (self.pad, 0)))
        h = self.drop(F.relu(self.bn(h)))
        return h + self.skip(x)


class TCN(nn.Module):
    def __init__(self, c_in=3, channels=32, n_classes=4):
        super().__init__()
        self.blocks = nn.Sequential(
            CausalBlock(c_in, channels, 1),
            CausalBlock(channels, channels, 2),
            CausalBlock(channels, channels, 4),
        )
        self.head = nn.Linear(channels, n_classes)

    def forward(self, x):
        return self.head(self.blocks(x).mean(dim=-1))


def streaming_accuracy(model, xs, ys):
    model.eval
    correct = 0
    with torch.no_grad():
        for x, y in zip(xs, ys):
            correct += int(model(x.unsqueeze(0)).argmax(1).item() == y.item())
    model.train
    return correct / len(ys)


model = TCN()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(6):
    model.train()
    total, seen = 0.0, 0
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        seen += len(yb)
    acc = streaming_accuracy(model, x_test, y_test)
    print(f"epoch {epoch + 1}  train_loss {total / seen:.3f}  stream_test_acc {acc:.3f}")

print(f"final: train_loss {total / seen:.3f}  stream_test_acc {acc:.3f}")
