"""LSTM sequence classifier (4 frequency bands of noisy oscillations, length 48)
with a custom Dataset/DataLoader, RMSprop and grad clipping.

Seeded bug (saturated_units): reset_parameters means to set the forget-gate
bias to a positive value, but fills the WHOLE bias vector (all four gates, and
both bias_ih and bias_hh) with 2.0, so every gate pre-activation starts near
+4. The cell candidate tanh(g) is pinned at +1 (98% of its pre-activations
have |x| > 3 at init and still 98.7% after training), the input/forget gates
are ~0.98, so the cell state just counts up (mean |c| ~ 29 at the last step)
and tanh(c) = 1: the hidden state carries almost no information about the
input and gradients through the saturated nonlinearities vanish.

Measured (250 steps): train loss 1.395 (ln 4 = 1.386), val acc 0.240 (chance).
Fixed copy (biases zero, forget slice only set to 1.0 in each bias vector):
train loss 0.044, val acc 0.998.
"""
# traindebug-expect: saturated_units
import math
import random

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

SEED = 11
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
torch.set_num_threads(1)

SEQ_LEN = 48
N_CLASSES = 4
HIDDEN = 32
FORGET_BIAS = 2.0      # long-ish sequences -> remember by default


class ChirpDataset(Dataset):
    """Noisy oscillations; the class is the frequency band of the carrier."""

    freqs = (0.6, 1.1, 1.7, 2.4)

    def __init__(self, n, rng):
        t = np.linspace(0, 2 * math.pi, SEQ_LEN, dtype=np.float32)
        self.y = rng.integers(0, N_CLASSES, size=n)
        phase = rng.uniform(0, 2 * math.pi, size=(n, 1))
        amp = rng.uniform(0.6, 1.4, size=(n, 1))
        f = np.array(self.freqs)[self.y][:, None] * rng.uniform(0.93, 1.07, size=(n, 1))
        x = amp * np.sin(f * t[None] * 2 + phase) + 0.35 * rng.standard_normal((n, SEQ_LEN))
        self.x = torch.tensor(x, dtype=torch.float32).unsqueeze(-1)
        self.y = torch.tensor(self.y, dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class LSTMClassifier(nn.Module):
    def __init__(self, n_in, hidden, n_out):
        super().__init__()
        self.rnn = nn.LSTM(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(hidden, n_out))
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(p)
            elif name.startswith("bias"):
                p.data.fill_(FORGET_BIAS)

    def forward(self, x):
        out, (h, c) = self.rnn(x)
        return self.head(h[-1])


def run_epoch(model, loader, loss_fn, opt=None):
    train = opt is not None
    model.train(train)
    tot, correct, n, steps = 0.0, 0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
                steps += 1
            tot += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n, steps


rng = np.random.default_rng(SEED)
train_ds, val_ds = ChirpDataset(1600, rng), ChirpDataset(400, rng)
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=200)

model = LSTMClassifier(1, HIDDEN, N_CLASSES)
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3, alpha=0.95)
loss_fn = nn.CrossEntropyLoss()

total_steps = 0
for epoch in range(1, 11):
    tl, ta, s = run_epoch(model, train_dl, loss_fn, opt)
    total_steps += s
    vl, va, _ = run_epoch(model, val_dl, loss_fn)
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d} train {tl:.3f}/{ta:.3f}  val {vl:.3f}/{va:.3f}")
print(f"steps {total_steps}")
