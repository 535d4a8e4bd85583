"""
LSTM classifier over synthetic spectrogram frames (audio-like): each example is a 16-bin x
40-frame log-magnitude spectrogram containing one of four patterns (rising chirp, falling
chirp, steady tone, tone that jumps between two bins) at a random start bin and level, plus
background noise. An nn.LSTM(16 -> 48) reads the frames, the last hidden state goes to a
linear head over 4 classes. Adam lr 2e-3, batch 64, 1200 training clips, 10 epochs (190
steps) with a DataLoader; test accuracy on 600 held-out clips.

Seeded bug: the author applies the usual "positive forget-gate bias" trick (Jozefowicz et al.)
with a larger value for long clips, but slices the packed gate bias vector as
b[n // 4:] instead of b[n // 4:n // 2]. PyTorch packs the gates as (input, forget, cell,
output), so the forget, cell-candidate *and* output gate biases are all set to 3 (in both
bias_ih and bias_hh, so 6 in total): tanh(g) and sigmoid(o) sit at ~1 and the cell state
integrates to large values, so tanh(c) is pinned at +1 for almost every unit and time step.
Gradients through the saturated gates are ~0 and the final hidden state barely depends on
the input.

Measured (seed 0, 1 thread): at initialisation |tanh(g)| > 0.99 for 100% of cell-candidate
units and |tanh(c)| > 0.99 for 100% of units at the last frame, output gate mean 0.997 (fixed
copy: 0%, 40%, 0.50). Buggy final train loss 1.257, test accuracy 0.475 (chance 0.25); fixed
copy (slice n // 4:n // 2): train loss 0.037, test accuracy 0.995.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_BINS, N_FRAMES, N_CLASSES = 16, 40, 4


def synth_spectrograms(n):
    spec = rng.normal(0.0, 0.3, size=(n, N_FRAMES, N_BINS)).astype(np.float32)
    labels = rng.integers(0, N_CLASSES, size=n)
    t = np.arange(N_FRAMES)
    for i, c in enumerate(labels):
        level = rng.uniform(1.0, 2.0)
        start = rng.integers(2, N_BINS - 2)
        if c == 0:
            bins = start + (t * 0.25).astype(int)
        elif c == 1:
            bins = start - (t * 0.25).astype(int)
        elif c == 2:
            bins = np.full(N_FRAMES, start)
        else:
            bins = np.where((t // 5) % 2 == 0, start, start + 4)
        bins = np.mod(bins, N_BINS)
        spec[i, t, bins] += level
    return torch.from_numpy(spec), torch.from_numpy(labels).long()


class FrameLSTM(nn.Module):
    def __init__(self, n_in=N_BINS, hidden=48, n_classes=N_CLASSES, forget_bias=3.0):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)
        self.reset_lstm_bias(forget_bias)

    def reset_lstm_bias(self, value):
        for name, p in self.lstm.named_parameters():
            if name.startswith("bias"):
                n = p.numel()
                with torch.no_grad():
                    p.zero_()
                    p[n // 4:].fill_(value)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(h[-1])


X_tr, y_tr = synth_spectrograms(1200)
X_te, y_te = synth_spectrograms(600)
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)

model = FrameLSTM()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(10):
    model.train()
    running, seen = 0.0, 0
    for xb, yb in train_loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(yb)
        seen += len(yb)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1:2d}  train loss {running / seen:.4f}  test acc {acc:.3f}")

print(f"final: train loss {running / seen:.4f}  test accuracy {acc:.3f}")
