"""Healthy control: 1-D CNN (Conv1d + BatchNorm) classifying five generated waveform
families, SGD with Nesterov momentum and a OneCycleLR schedule (max_lr 0.8, 16 epochs,
304 steps).

Patterns that might fool a naive detector: the learning rate warms up to a large peak
(0.8) and the training loss rises during the warm-up / at the peak (epoch loss
0.23 -> 0.84 at epoch 2, 0.09 -> 0.23 at epoch 5) and validation accuracy dips there;
at the end the schedule anneals the rate to ~3e-6, which can look like a rate decayed to
zero. Both are the intended OneCycle behaviour.

Measured: epoch loss 1.08 -> 0.011, validation accuracy 1.000 at the end.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)

SEQ_LEN = 96
CLASSES = ("sine", "square", "sawtooth", "chirp", "burst")


def synth(n_per_class, rng):
    t = np.linspace(0, 1, SEQ_LEN, dtype=np.float32)
    X, y = [], []
    for c in range(len(CLASSES)):
        for _ in range(n_per_class):
            f = rng.uniform(2, 6)
            ph = rng.uniform(0, 2 * np.pi)
            if c == 0:
                s = np.sin(2 * np.pi * f * t + ph)
            elif c == 1:
                s = np.sign(np.sin(2 * np.pi * f * t + ph))
            elif c == 2:
                s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
            elif c == 3:
                s = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
            else:
                center = rng.uniform(0.2, 0.8)
                s = np.exp(-((t - center) ** 2) / 0.005) * np.sin(2 * np.pi * 3 * f * t)
            s = s * rng.uniform(0.5, 1.5) + rng.normal(0, 0.3, SEQ_LEN)
            X.append(s)
            y.append(c)
    return torch.tensor(np.array(X), dtype=torch.float32).unsqueeze(1), torch.tensor(y)


rng = np.random.default_rng(0)
Xtr, ytr = synth(120, rng)
Xva, yva = synth(40, rng)

model = nn.Sequential(
    nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(32, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU(),
    nn.AdaptiveAvgPool1d(1), nn.Flatten(),
    nn.Linear(32, len(CLASSES)),
)

EPOCHS = 16
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.8, epochs=EPOCHS,
                                            steps_per_epoch=len(loader), pct_start=0.3)

for epoch in range(EPOCHS):
    model.train()
    losses = []
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch:2d} lr {sched.get_last_lr()[0]:.3f} loss {np.mean(losses):.4f} val acc {acc:.3f}")
