"""Seeded bug: a two-task model (digit class + "is the digit >= 5") whose
optimizer is built from the trunk and the first head only; the second head
receives gradients on every step but never changes."""
# traindebug-expect: frozen_or_unoptimized
import itertools

import torch
from sklearn.datasets import load_digits
from torch import nn


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.digit_head = nn.Linear(64, 10)
        self.big_head = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.digit_head(h), self.big_head(h).squeeze(-1)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = TwoHeads()
params = itertools.chain(model.trunk.parameters(), model.digit_head.parameters())  # BUG: big_head missing
opt = torch.optim.Adam(params, lr=1e-3)
ce, bce = nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
for epoch in range(10):
    for xb, yb in loader:
        logits, big = model(xb)
        loss = ce(logits, yb) + bce(big, (yb >= 5).float())
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
