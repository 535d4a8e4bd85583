"""Seeded bug: dropout probability 0.9 (a TensorFlow-1 "keep_prob" value
ported as p): nine of ten hidden units are dropped at every step."""
# traindebug-expect: over_regularization
import torch
from sklearn.datasets import make_classification
from torch import nn

KEEP_PROB = 0.9
torch.manual_seed(0)
X, y = make_classification(n_samples=2000, n_features=30, n_informative=12, n_classes=5,
                           n_clusters_per_class=1, random_state=2)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(30, 64), nn.ReLU(), nn.Dropout(p=KEEP_PROB),  # BUG: p is the drop probability
            nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p=KEEP_PROB),
            nn.Linear(64, 5),
        )

    def forward(self, x):
        return self.layers(x)


model = MLP()
opt = torch.optim.SGD(model.parameters(), lr=0.02)
for epoch in range(10):
    model.train()
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
