"""Fault classifier trained on readings streamed from a Python generator (IterableDataset).

Seeded bug (input_scale): the Standardizer estimates its statistics from a 2000-reading
warm-up buffer with a per-channel mean (`buf.mean(axis=0)`) but a global std
(`buf.std()`, no axis). The raw channels live on very different scales (pressure ~1e5
Pa, humidity ~0.5), so the global std is ~3.8e4 and after "standardisation" the
channels have std between ~4e-6 (humidity) and ~0.02 (pressure): the network input is
essentially constant and RMSprop cannot grow the first-layer weights enough in 360
steps. Measured: train loss 0.696 -> 0.694, holdout acc 0.49-0.51 (= base rate 0.512).
Fixed copy (`buf.std(axis=0)`): train loss 0.388 -> 0.265, holdout acc 0.885.
"""
# traindebug-expect: input_scale
import itertools

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, IterableDataset

torch.set_num_threads(1)
torch.manual_seed(2)

# channel: (name, nominal value, spread) in the units the PLC reports
CHANNELS = [("temp_K", 310.0, 6.0), ("pressure_Pa", 101_325.0, 900.0), ("humidity", 0.55, 0.15),
            ("vibration_mm_s", 2.5, 1.0), ("rpm", 1480.0, 250.0), ("voltage_V", 230.0, 4.0)]
NOMINAL = np.array([c[1] for c in CHANNELS])
SPREAD = np.array([c[2] for c in CHANNELS])


def sensor_stream(seed):
    """Endless stream of (reading, fault_flag) pairs from a simulated pump."""
    rng = np.random.default_rng(seed)
    while True:
        z = rng.normal(size=len(CHANNELS))
        reading = NOMINAL + SPREAD * z
        risk = 1.4 * z[3] + 0.9 * z[0] * z[2] - 0.8 * z[5] + 0.6 * np.abs(z[4]) - 0.45
        yield reading.astype(np.float32), np.float32(risk + 0.3 * rng.normal() > 0)


class Standardizer:
    def __init__(self, warmup):
        buf = np.stack([r for r, _ in warmup])
        self.mean = buf.mean(axis=0)
        self.std = buf.std() + 1e-8

    def __call__(self, x):
        return (x - self.mean) / self.std


class PumpStream(IterableDataset):
    def __init__(self, seed, transform):
        self.seed, self.transform = seed, transform

    def __iter__(self):
        for reading, flag in sensor_stream(self.seed):
            yield torch.from_numpy(self.transform(reading).astype(np.float32)), torch.tensor(flag)


scaler = Standardizer(itertools.islice(sensor_stream(seed=100), 2000))
train_loader = DataLoader(PumpStream(seed=1, transform=scaler), batch_size=64)
holdout = list(itertools.islice(PumpStream(seed=999, transform=scaler), 2000))
Xh = torch.stack([a for a, _ in holdout])
yh = torch.stack([b for _, b in holdout])

model = nn.Sequential(nn.Linear(6, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.95)
loss_fn = nn.BCEWithLogitsLoss()

running = []
for step, (xb, yb) in enumerate(train_loader, start=1):
    loss = loss_fn(model(xb).squeeze(-1), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    running.append(loss.item())
    if step % 60 == 0:
        with torch.no_grad():
            logits = model(Xh).squeeze(-1)
            h_loss = loss_fn(logits, yh).item()
            acc = ((logits > 0).float() == yh).float().mean().item()
        print(f"step {step:3d}  train loss {np.mean(running[-60:]):.3f}  holdout loss {h_loss:.3f}  acc {acc:.3f}")
    if step == 360:
        break
print(f"holdout positive rate {yh.mean().item():.3f}")
