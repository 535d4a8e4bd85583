"""clean: a dilated 1-D conv net on noisy sensor windows with heavy but
correct augmentation (additive noise at half the signal's std, random
scaling, random time shift), label smoothing 0.2 (the loss cannot fall
much below ~0.5), and gradient accumulation over 2 micro-batches with a
OneCycle scheduler stepped once per optimizer step."""
# traindebug-expect: clean
import torch
from torch import nn


def make_windows(n, length=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(length, dtype=torch.float32)
    y = torch.randint(0, 3, (n,), generator=g)
    freq = torch.tensor([0.2, 0.5, 0.9])[y].unsqueeze(1)
    x = torch.sin(freq * t + torch.rand(n, 1, generator=g) * 6.28)
    return x.unsqueeze(1), y


def augment(x):
    x = x * (0.7 + 0.6 * torch.rand(len(x), 1, 1))
    x = torch.roll(x, shifts=int(torch.randint(0, 16, (1,))), dims=2)
    return x + 0.5 * x.std() * torch.randn_like(x)


torch.manual_seed(0)
x, y = make_windows(4000)
model = nn.Sequential(
    nn.Conv1d(1, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU(),
    nn.Conv1d(32, 32, 3, padding=2, dilation=2), nn.BatchNorm1d(32), nn.ReLU(),
    nn.Conv1d(32, 32, 3, padding=4, dilation=4), nn.BatchNorm1d(32), nn.ReLU(),
    nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, 3))
accum, micro, updates = 2, 32, 300
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=updates)
criterion = nn.CrossEntropyLoss(label_smoothing=0.2)
opt.zero_grad()
for i in range(updates * accum):
    idx = torch.randint(0, len(x), (micro,))
    loss = criterion(model(augment(x[idx])), y[idx]) / accum
    loss.backward()
    if (i + 1) % accum == 0:
        opt.step()
        sched.step()
        opt.zero_grad()
    if i % 100 == 0:
        print(i, loss.item() * accum)
