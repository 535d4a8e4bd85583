"""clean: a CNN trained under torch.autocast('cpu', dtype=torch.bfloat16)."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
y = torch.tensor(y)
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 4, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(5):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(X[b])
            loss = nn.functional.cross_entropy(logits, y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
