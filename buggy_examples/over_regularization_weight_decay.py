"""Seeded bug: weight_decay=0.5 (meant 5e-4) on SGD: the decay term shrinks
every weight toward zero faster than the loss gradient can grow it, and the
network stays near a constant function."""
# traindebug-expect: over_regularization
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
ds = TensorDataset(torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32), torch.tensor(y))
loader = DataLoader(ds, batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.5)  # BUG
criterion = nn.CrossEntropyLoss()
for epoch in range(6):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
