"""1-D CNN (3 conv blocks + MLP head, nn.Sequential) classifying 4 synthetic
waveform families, SGD with Nesterov momentum, custom He-init hook.

Seeded bug (bad_init_scale): the hand-written He init computes the std as
math.sqrt(2.0) / fan_in instead of math.sqrt(2.0 / fan_in), i.e. a factor
sqrt(fan_in) too small in every layer (7x in conv1 ... 22x in the 512-wide
Linear).  The signal shrinks by that factor at each of the 5 layers, so the
logits are ~0 at init (initial loss exactly ln 4 = 1.386 with vanishing
activations) and the gradients reaching the early layers are negligible.
Measured (8 epochs, 200 steps): buggy loss stuck at 1.386, val acc 0.218
(chance); fixed (math.sqrt(2.0 / fan_in)) loss 0.0025, val acc 0.998.
"""
# traindebug-expect: bad_init_scale
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2)
# synthetic 1-D signals: 4 waveform families with random phase/frequency + noise
N, L = 2000, 128
t = torch.linspace(0, 1, L)
cls = torch.randint(0, 4, (N,))
freq = 3 + 4 * torch.rand(N, 1)
phase = 2 * math.pi * torch.rand(N, 1)
base = torch.stack([
    torch.sin(2 * math.pi * freq * t + phase),
    torch.sign(torch.sin(2 * math.pi * freq * t + phase)),
    2 * ((freq * t + phase / (2 * math.pi)) % 1) - 1,
    torch.sin(2 * math.pi * freq * t + phase) * torch.exp(-3 * t),
], 1)
X = (base[torch.arange(N), cls] + 0.3 * torch.randn(N, L)).unsqueeze(1)
Xtr, ytr, Xva, yva = X[:1600], cls[:1600], X[1600:], cls[1600:]


def he_init(m):
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        fan_in = m.weight[0].numel()
        m.weight.data.normal_(0.0, math.sqrt(2.0) / fan_in)
        m.bias.data.zero_()


net = nn.Sequential(
    nn.Conv1d(1, 32, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(64, 64, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(8),
    nn.Flatten(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 4),
)
net.apply(he_init)
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)

with torch.no_grad():
    print(f"initial loss {F.cross_entropy(net(Xtr[:256]), ytr[:256]).item():.2f} (ln 4 = {math.log(4):.2f})")
step = 0
for ep in range(8):
    perm = torch.randperm(1600)
    tot = 0.0
    for i in range(0, 1600, 64):
        idx = perm[i:i + 64]
        loss = F.cross_entropy(net(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
        step += 1
    with torch.no_grad():
        acc = (net(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {ep} step {step} loss {tot / 1600:.4f} val_acc {acc:.3f}")
