"""clean: a mildly imbalanced 3-class problem (60/30/10) trained with a
class-weighted cross-entropy, standardized features, shuffled batches and a
held-out evaluation each epoch."""
# traindebug-expect: clean
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = make_classification(n_samples=3000, n_features=15, n_informative=8, n_classes=3,
                           n_clusters_per_class=1, weights=[0.6, 0.3, 0.1], random_state=4)
X = StandardScaler().fit_transform(X)
counts = np.bincount(y)
weights = torch.tensor(len(y) / (len(counts) * counts), dtype=torch.float32)
ds = TensorDataset(torch.tensor(X[:2500], dtype=torch.float32), torch.tensor(y[:2500]))
Xte, yte = torch.tensor(X[2500:], dtype=torch.float32), torch.tensor(y[2500:])

model = nn.Sequential(nn.Linear(15, 64), nn.ReLU(), nn.Linear(64, 3))
criterion = nn.CrossEntropyLoss(weight=weights)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
for epoch in range(8):
    model.train()
    for xb, yb in DataLoader(ds, batch_size=64, shuffle=True):
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        test_loss = criterion(model(Xte), yte).item()
    print(f"epoch {epoch}: train {loss.item():.3f} test {test_loss:.3f}")
