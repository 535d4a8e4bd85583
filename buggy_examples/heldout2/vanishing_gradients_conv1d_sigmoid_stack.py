"""Seeded bug: a 1-D CNN for sequence classification written in the old
style, with a sigmoid after each of its 8 plain (non-residual) conv layers.
The sigmoid's derivative is at most 1/4, so the gradient reaching the first
layers is orders of magnitude smaller than at the head; after 300 Adam steps
the loss is still ~0.69 (chance) while the same net with ReLU reaches ~0.0 (measured)."""
# traindebug-expect: vanishing_gradients
import torch
from torch import nn


def make_data(n, length=48, seed=0):
    """Class 1 sequences contain a high-frequency burst, class 0 a low-frequency one."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(length, dtype=torch.float32)
    y = torch.randint(0, 2, (n,), generator=g)
    freq = torch.where(y == 1, 1.2, 0.3).unsqueeze(1)
    phase = torch.rand(n, 1, generator=g) * 6.28
    x = torch.sin(freq * t + phase) + 0.3 * torch.randn(n, length, generator=g)
    return x.unsqueeze(1), y


class SeqCNN(nn.Module):
    def __init__(self, depth=8, ch=16):
        super().__init__()
        layers, c = [], 1
        for _ in range(depth):
            layers += [nn.Conv1d(c, ch, 5, padding=2), nn.Sigmoid()]  # BUG: sigmoid in a deep plain stack
            c = ch
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(ch, 2)

    def forward(self, x):
        return self.classifier(self.features(x).mean(2))


torch.manual_seed(0)
x, y = make_data(4000)
model = SeqCNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
step = 0
for epoch in range(5):
    for xb, yb in loader:
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    print(epoch, step, loss.item())
