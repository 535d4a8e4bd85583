"""Seeded bug: the sensor windows arrive as (batch, time, channels) but the
LSTM was built with the default ``batch_first=False``; the author converts with
``x.reshape(T, B, C)`` instead of ``x.transpose(0, 1)``.  The reshape
reinterprets memory, so each "time step" fed to the LSTM interleaves readings
from different windows and every prediction depends on other samples in the
batch.

Measured effect (buggy vs fixed copy, transpose): final train loss 1.098 (= ln 3, chance) vs 0.244,
test accuracy 0.334 vs 0.970.
"""
# traindebug-expect: batch_mixing
import math
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

T, C, N_CLASSES = 40, 3, 3


def make_windows(n):
    """Activity-like windows: class decides the dominant frequency of channel 0
    and the phase lag between channels."""
    y = torch.randint(0, N_CLASSES, (n,))
    t = torch.linspace(0, 1, T)
    freq = torch.tensor([2.0, 4.0, 6.0])[y].unsqueeze(1) + 0.3 * torch.randn(n, 1)
    lag = torch.tensor([0.0, 1.5, 3.0])[y].unsqueeze(1)
    phase = 2 * math.pi * torch.rand(n, 1)
    ch0 = torch.sin(2 * math.pi * freq * t + phase)
    ch1 = torch.sin(2 * math.pi * freq * t + phase + lag)
    ch2 = 0.5 * torch.randn(n, T)
    x = torch.stack([ch0, ch1, ch2], dim=2) + 0.2 * torch.randn(n, T, C)
    return x, y


class SensorLSTM(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(C, hidden, num_layers=1)
        self.fc = nn.Linear(hidden, N_CLASSES)

    def forward(self, x):
        b, t, c = x.shape
        x = x.reshape(t, b, c)
        out, (h, _) = self.lstm(x)
        return self.fc(h[-1])


x_tr, y_tr = make_windows(2000)
x_te, y_te = make_windows(500)
model = SensorLSTM()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8)
for epoch in range(8):
    model.train()
    perm = torch.randperm(len(x_tr))
    tot = 0.0
    for i in range(0, len(x_tr), 64):
        idx = perm[i:i + 64]
        loss = nn.functional.cross_entropy(model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tot += loss.item() * len(idx)
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(x_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch+1} train_loss {tot/len(x_tr):.4f} test_acc {acc:.3f}")
