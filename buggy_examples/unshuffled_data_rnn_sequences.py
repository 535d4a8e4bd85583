"""Seeded bug: a GRU classifies generated sequences (sine, square, sawtooth
waves plus noise). The dataset is built class by class and the training loop
slices consecutive batches without shuffling, so each batch holds one class."""
# traindebug-expect: unshuffled_data
import math

import torch
from torch import nn

torch.manual_seed(0)
T, N_PER_CLASS = 16, 200


def make_class(kind: int, n: int) -> torch.Tensor:
    t = torch.linspace(0, 4 * math.pi, T).expand(n, T) * (0.5 + torch.rand(n, 1)) + torch.rand(n, 1) * 6
    wave = [torch.sin(t), torch.sign(torch.sin(t)), (t % (2 * math.pi)) / math.pi - 1][kind]
    return (wave + 0.3 * torch.randn(n, T)).unsqueeze(-1)


X = torch.cat([make_class(k, N_PER_CLASS) for k in range(3)])  # ordered: class 0, then 1, then 2
y = torch.arange(3).repeat_interleave(N_PER_CLASS)


class WaveClassifier(nn.Module):
    def __init__(self, hidden: int = 16):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 3)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1])


model = WaveClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(4):
    for start in range(0, len(X), 40):  # BUG: consecutive slices of class-ordered data
        xb, yb = X[start : start + 40], y[start : start + 40]
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, round(loss.item(), 3))
