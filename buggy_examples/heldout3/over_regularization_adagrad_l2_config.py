"""Seeded bug: a tabular classifier trained with Adagrad from a config dict.
The config says "l2": 0.5 (intended 5e-4, the exponent was lost) and it is
passed as Adagrad's weight_decay, so the L2 term dominates every update and the
weights are held near zero. Final loss 1.386 vs 0.234 fixed (weight_decay=5e-4)."""
# traindebug-expect: over_regularization
import torch
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CONFIG = {"hidden": 64, "lr": 0.05, "l2": 0.5, "epochs": 12, "batch_size": 128}

X, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_classes=4,
                           n_clusters_per_class=2, random_state=3)
X = StandardScaler().fit_transform(X)
torch.manual_seed(0)
data = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = DataLoader(data, batch_size=CONFIG["batch_size"], shuffle=True)

model = nn.Sequential(nn.Linear(20, CONFIG["hidden"]), nn.ReLU(),
                      nn.Linear(CONFIG["hidden"], CONFIG["hidden"]), nn.ReLU(),
                      nn.Linear(CONFIG["hidden"], 4))
opt = torch.optim.Adagrad(model.parameters(), lr=CONFIG["lr"], weight_decay=CONFIG["l2"])
for epoch in range(CONFIG["epochs"]):
    for xb, yb in loader:
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
