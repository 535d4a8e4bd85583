"""Seeded bug: a wide MLP trained with Adam on only 60 training samples of a
200-feature problem, without regularisation or early stopping; the training
loss goes to ~0 while the validation loss (computed under no_grad) climbs."""
# traindebug-expect: overfitting
import torch
from sklearn.datasets import make_classification
from torch import nn

torch.manual_seed(0)
X, y = make_classification(n_samples=1060, n_features=200, n_informative=10, n_redundant=0,
                           flip_y=0.05, random_state=0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
Xtr, ytr, Xva, yva = X[:60], y[:60], X[60:], y[60:]  # BUG: tiny training set for a big model

model = nn.Sequential(nn.Linear(200, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(150):
    model.train()
    for xb, yb in zip(Xtr.split(20), ytr.split(20)):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val = nn.functional.cross_entropy(model(Xva), yva)
    if epoch % 10 == 0:
        print(f"epoch {epoch} train {loss.item():.4f} val {val.item():.4f}")
