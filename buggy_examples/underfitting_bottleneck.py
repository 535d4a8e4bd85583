"""Seeded bug: the hidden layer has only 2 units (a typo for 32?); the network
cannot separate 10 digit classes through a 2-unit bottleneck and its training
loss plateaus far above zero although the optimizer works fine."""
# traindebug-expect: underfitting
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn

HIDDEN = 2  # BUG

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
for epoch in range(12):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
