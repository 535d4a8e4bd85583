"""Seeded bug (wrong_mode): predict() is decorated with @torch.no_grad() but never calls model.eval(),
so validation runs in train mode: Dropout(0.5) active and BatchNorm uses stats of 4-sample chunks
(and overwrites its running stats). Measured: val acc 0.75-0.81; fixed (model.eval() in predict):
val acc 0.95-0.99 (0.993 final).
"""
# traindebug-expect: wrong_mode
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def make_signals(n, length=64):
    t = torch.linspace(0, 1, length)
    y = torch.randint(0, 3, (n,))
    freq = torch.tensor([3.0, 5.0, 7.0])[y] + 0.3 * torch.randn(n)
    x = torch.sin(2 * math.pi * freq[:, None] * t + 6.28 * torch.rand(n, 1)) + 0.8 * torch.randn(n, length)
    return x[:, None, :], y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
                               nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
                               nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(32, 3))

    def forward(self, x):
        return self.f(x)


@torch.no_grad()
def predict(model, x, bs=4):
    return torch.cat([model(x[i:i + bs]).argmax(1) for i in range(0, len(x), bs)])


xtr, ytr = make_signals(1200)
xva, yva = make_signals(300)
model = Net()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
for epoch in range(5):
    model.train()
    perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 32):
        idx = perm[i:i + 32]
        loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    acc = (predict(model, xva) == yva).float().mean().item()
    print(f"epoch {epoch + 1} loss {loss.item():.3f} val_acc {acc:.3f}")
