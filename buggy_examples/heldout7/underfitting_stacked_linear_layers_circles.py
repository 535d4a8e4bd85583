""""Ring" classifier for make_circles (two concentric circles).

Seeded bug (underfitting): the model defines self.act = nn.ReLU() but forward() only
chains the Linear layers, so the whole network is one affine map. A linear decision
boundary cannot separate concentric circles. Gradients and updates are healthy, but the
training loss stays at chance level.

Measured (8 epochs, 304 steps): train BCE 0.696 -> 0.6935 (ln 2 = 0.693), test_acc
0.37-0.51. The fixed copy (x = self.act(lin(x))) gets train BCE 0.005, test_acc 0.997.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(1)

X, y = make_circles(n_samples=3000, noise=0.08, factor=0.5, random_state=1)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=1)
train_dl = DataLoader(TensorDataset(torch.tensor(X_tr, dtype=torch.float32),
                                    torch.tensor(y_tr, dtype=torch.float32)),
                      batch_size=64, shuffle=True)
X_te_t = torch.tensor(X_te, dtype=torch.float32)
y_te_t = torch.tensor(y_te, dtype=torch.float32)


class RingClassifier(nn.Module):
    def __init__(self, hidden=64, depth=3):
        super().__init__()
        dims = [2] + [hidden] * depth
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.act = nn.ReLU()
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        for lin in self.layers:
            x = lin(x)
        return self.out(x).squeeze(-1)


model = RingClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.BCEWithLogitsLoss()

for epoch in range(8):
    model.train()
    s, n = 0.0, 0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        s += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(X_te_t)
        acc = ((logits > 0).float() == y_te_t).float().mean().item()
    print(f"epoch {epoch+1}: train_bce={s/n:.4f} test_acc={acc:.3f}")
