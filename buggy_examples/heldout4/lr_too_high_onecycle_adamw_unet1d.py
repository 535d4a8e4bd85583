"""Seeded bug: a small 1-D U-Net denoises noisy sine/square signals, trained
with AdamW + OneCycleLR. max_lr=0.5 was copied from an SGD recipe; with Adam
the peak step is ~500x too large, so the loss jumps up as the rate warms up
and never comes back. Measured: MSE 0.83 at
the start, 0.74 at the end (mean of the last 20 steps) vs 0.033 with
max_lr=3e-3."""
# traindebug-expect: lr_too_high
import math

import torch
from torch import nn
import torch.nn.functional as F


def make_signals(n, length=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 2 * math.pi, length)
    freq = 1 + torch.randint(0, 4, (n, 1), generator=g).float()
    phase = torch.rand(n, 1, generator=g) * 2 * math.pi
    clean = torch.sin(freq * t + phase)
    square = torch.rand(n, 1, generator=g) < 0.5
    clean = torch.where(square, torch.sign(clean), clean)
    noisy = clean + 0.4 * torch.randn(n, length, generator=g)
    return noisy.unsqueeze(1), clean.unsqueeze(1)


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv1d(cin, cout, 5, padding=2), nn.ReLU(), nn.Conv1d(cout, cout, 5, padding=2), nn.ReLU())


class UNet1d(nn.Module):
    def __init__(self, ch=16):
        super().__init__()
        self.down1 = conv_block(1, ch)
        self.down2 = conv_block(ch, 2 * ch)
        self.mid = conv_block(2 * ch, 2 * ch)
        self.up2 = conv_block(4 * ch, ch)
        self.up1 = conv_block(2 * ch, ch)
        self.out = nn.Conv1d(ch, 1, 1)

    def forward(self, x):
        d1 = self.down1(x)
        d2 = self.down2(F.max_pool1d(d1, 2))
        m = self.mid(F.max_pool1d(d2, 2))
        u2 = self.up2(torch.cat([F.interpolate(m, scale_factor=2), d2], 1))
        u1 = self.up1(torch.cat([F.interpolate(u2, scale_factor=2), d1], 1))
        return self.out(u1)


torch.manual_seed(0)
X, Y = make_signals(1536)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=32, shuffle=True)
model = UNet1d()
epochs = 5
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, epochs=epochs, steps_per_epoch=len(loader))  # BUG
losses = []
for epoch in range(epochs):
    for xb, yb in loader:
        loss = F.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    print(f"epoch {epoch} loss {sum(losses[-48:]) / 48:.4f}")
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
