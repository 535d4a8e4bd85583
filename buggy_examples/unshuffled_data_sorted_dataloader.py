"""Seeded bug: the digits are sorted by label (to make a stratified split
easy) and the training DataLoader keeps that order (shuffle=False): every batch
holds one or two classes."""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
order = np.argsort(y, kind="stable")
X, y = StandardScaler().fit_transform(X[order]), y[order]
train = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = DataLoader(train, batch_size=64, shuffle=False)  # BUG: sorted data, never shuffled

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()
for epoch in range(6):
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch} last-batch loss {loss.item():.3f}")
