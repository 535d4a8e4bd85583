"""
1-D CNN classifying short synthetic audio-like waveforms (256 samples) into four timbres:
sine, square, sawtooth and a decaying "pluck", each with random pitch, phase, amplitude and
additive noise. Three Conv1d blocks (1 -> 16 -> 32 -> 32 channels, stride 2) use the Snake
periodic activation x + sin^2(alpha * x) / alpha with a learnable per-channel alpha (as in
BigVGAN / audio codecs), implemented as a memory-saving torch.autograd.Function with a hand
written backward; global average pool + linear head. Adam lr 3e-3, batch 64, 1280 training
clips, 8 epochs (160 steps).

Seeded bug: the derivative of x + sin^2(alpha x)/alpha w.r.t. x is 1 + sin(2 alpha x), so the
chain rule gives grad_out * (1 + sin(2 alpha x)) = grad_out + grad_out * sin(2 alpha x); when
expanding it the author wrote grad_out + sin(2 alpha x), dropping grad_out from the second
term. The alpha gradient is right. The input gradient now contains a term of order 1 that does
not depend on the loss at all (it dwarfs the real per-sample gradient of a mean-reduced loss)
and disagrees with finite differences (torch.autograd.gradcheck fails), so every layer below
the last activation is pushed by a loss-independent signal.

Measured (seed 0, 1 thread): buggy final train loss 1.385 (chance is ln 4 = 1.386), test
accuracy 0.242; fixed copy (grad_x = grad_out * (1 + sin(2 alpha x))): train loss 0.006, test
accuracy 1.000.
"""
# traindebug-expect: wrong_gradient

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

LENGTH = 256


def make_waveforms(n):
    t = np.arange(LENGTH) / LENGTH
    labels = rng.integers(0, 4, size=n)
    x = np.empty((n, LENGTH), dtype=np.float32)
    for i, c in enumerate(labels):
        f = rng.uniform(3, 12)
        phase = rng.uniform(0, 2 * np.pi)
        arg = 2 * np.pi * f * t + phase
        if c == 0:
            w = np.sin(arg)
        elif c == 1:
            w = np.sign(np.sin(arg))
        elif c == 2:
            w = 2 * ((arg / (2 * np.pi)) % 1.0) - 1
        else:
            w = np.sin(arg) * np.exp(-t * rng.uniform(4, 8))
        x[i] = rng.uniform(0.5, 1.5) * w + 0.2 * rng.normal(size=LENGTH)
    return torch.from_numpy(x[:, None, :]), torch.from_numpy(labels).long()


class SnakeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x, alpha)
        return x + torch.sin(alpha * x) ** 2 / alpha

    @staticmethod
    def backward(ctx, grad_out):
        x, alpha = ctx.saved_tensors
        s2 = torch.sin(2 * alpha * x)
        grad_x = grad_out + s2
        d_alpha = x * s2 / alpha - torch.sin(alpha * x) ** 2 / alpha ** 2
        grad_alpha = (grad_out * d_alpha).sum(dim=(0, 2), keepdim=True)
        return grad_x, grad_alpha


class Snake(nn.Module):
    def __init__(self, channels, alpha=1.0):
        super().__init__()
        self.alpha = nn.Parameter(torch.full((1, channels, 1), alpha))

    def forward(self, x):
        return SnakeFn.apply(x, self.alpha)


class TimbreNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        chans = [1, 16, 32, 32]
        layers = []
        for c_in, c_out in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv1d(c_in, c_out, kernel_size=7, stride=2, padding=3), Snake(c_out)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(chans[-1], n_classes)

    def forward(self, x):
        return self.head(self.features(x).mean(-1))


X_tr, y_tr = make_waveforms(1280)
X_te, y_te = make_waveforms(500)
loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)

model = TimbreNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(8):
    model.train()
    tot, cnt = 0.0, 0
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(yb)
        cnt += len(yb)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1}  train loss {tot / cnt:.4f}  test acc {acc:.3f}")

print(f"final: train loss {tot / cnt:.4f}  test accuracy {acc:.3f}")
