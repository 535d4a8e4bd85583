"""Dilated residual 1-D CNN classifying noisy synthetic waveforms (sine,
square, sawtooth, damped sine; noise std 1.0), Adam + OneCycleLR, hyper-
parameters in a dict.

Seeded bug (over_regularization): weight_decay=0.1 (a typical AdamW value)
is passed to torch.optim.Adam, where it is coupled L2 added to the gradient
before the adaptive normalisation. For this small network the decay term
dominates the loss gradient: the weight norm shrinks during training instead
of growing and the fit stalls.

Measured (8 epochs, 256 steps): buggy train loss 1.35 -> 1.14, train acc
0.577, |w| 2.79 -> 1.86 -> 1.91, test accuracy 0.525; fixed
(weight_decay=1e-4): train loss 1.33 -> 0.76, train acc 0.706, |w| 4.4 -> 5.7,
test accuracy 0.655.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)

HPARAMS = dict(lr=3e-3, weight_decay=0.1, epochs=8, batch_size=32, betas=(0.9, 0.999))


def synth(n, L=64):
    t = np.linspace(0, 1, L)
    X, y = np.empty((n, 1, L), np.float32), rng.integers(0, 4, n)
    for i in range(n):
        f, ph = rng.uniform(2, 5), rng.uniform(0, 2 * np.pi)
        s = np.sin(2 * np.pi * f * t + ph)
        if y[i] == 1:
            s = np.sign(s)
        elif y[i] == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1) - 1
        elif y[i] == 3:
            s = s * np.exp(-3 * t)
        X[i, 0] = s + rng.normal(0, 1.0, L)
    return torch.from_numpy(X), torch.from_numpy(y)


Xtr, ytr = synth(1000)
Xte, yte = synth(400)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=HPARAMS["batch_size"], shuffle=True,
                    generator=torch.Generator().manual_seed(0))


class WaveNetLite(nn.Module):
    def __init__(self, ch=16, n_classes=4):
        super().__init__()
        self.c1 = nn.Conv1d(1, ch, 7, padding=3)
        self.c2 = nn.Conv1d(ch, ch, 5, padding=4, dilation=2)
        self.c3 = nn.Conv1d(ch, ch, 5, padding=8, dilation=4)
        self.fc = nn.Linear(2 * ch, n_classes)

    def forward(self, x):
        h = F.relu(self.c1(x))
        h = F.relu(self.c2(h)) + h
        h = F.relu(self.c3(h)) + h
        pooled = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.fc(pooled)


model = WaveNetLite()
opt = torch.optim.Adam(model.parameters(), lr=HPARAMS["lr"], betas=HPARAMS["betas"],
                       weight_decay=HPARAMS["weight_decay"])
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=HPARAMS["lr"], epochs=HPARAMS["epochs"],
                                            steps_per_epoch=len(loader))

for epoch in range(HPARAMS["epochs"]):
    model.train()
    tl, tc = 0.0, 0
    for xb, yb in loader:
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tl += loss.item() * len(yb)
        tc += (out.argmax(1) == yb).sum().item()
    wn = torch.sqrt(sum((p ** 2).sum() for p in model.parameters())).item()
    if epoch % 2 == 1:
        print(f"epoch {epoch}  loss {tl / len(ytr):.4f}  train acc {tc / len(ytr):.3f}  |w| {wn:.2f}")

model.eval()
with torch.no_grad():
    acc = (model(Xte).argmax(1) == yte).float().mean().item()
print(f"test accuracy {acc:.3f}")
