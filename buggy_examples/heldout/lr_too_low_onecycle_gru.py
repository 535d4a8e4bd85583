"""Seeded bug: a GRU sequence classifier trained with AdamW + OneCycleLR whose
max_lr was typed as 3e-6 instead of 3e-3; the loss barely moves from ln(4)."""
# traindebug-expect: lr_too_low
import math

import torch
from torch import nn


def make_waves(n, length=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (n,), generator=g)
    freqs = 0.5 + labels.float() * 0.6
    t = torch.linspace(0, 4 * math.pi, length)
    phase = torch.rand(n, 1, generator=g) * 2 * math.pi
    x = torch.sin(freqs[:, None] * t[None, :] + phase) + 0.3 * torch.randn(n, length, generator=g)
    return x.unsqueeze(-1), labels


class GRUClassifier(nn.Module):
    def __init__(self, hidden=48, n_classes=4):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


torch.manual_seed(0)
X, y = make_waves(2048)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
model = GRUClassifier()
epochs = 8
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-6, epochs=epochs, steps_per_epoch=len(loader))  # BUG
crit = nn.CrossEntropyLoss()
for epoch in range(epochs):
    for xb, yb in loader:
        opt.zero_grad(set_to_none=True)
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
    print(epoch, round(loss.item(), 4))
