"""Wide 4-layer ReLU MLP (width 256) on an 8-class make_classification problem, Adagrad.

Seeded bug: all Linear weights are initialised with normal_(mean=0, std=1) "textbook style"
instead of a fan-in-scaled init (Kaiming std = sqrt(2/256) ~ 0.09). Each layer multiplies the
activation scale by ~sqrt(256/2) ~ 11, so the logits are in the 1e4-1e5 range at step 0.
Measured effect: initial loss 9.8e4 (chance level ln 8 = 2.08); after 288 steps train loss is
still 663 and test acc 0.687. With kaiming_normal_(nonlinearity="relu"): initial loss 2.92,
final train loss 0.029, test acc 0.850.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 3
torch.manual_seed(SEED)
np.random.seed(SEED)

X, y = make_classification(n_samples=3000, n_features=16, n_informative=10, n_classes=8,
                           n_clusters_per_class=1, class_sep=1.2, random_state=SEED)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=SEED)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)


class WideMLP(nn.Module):
    def __init__(self, d_in, width, n_classes, depth=4):
        super().__init__()
        blocks = []
        d = d_in
        for _ in range(depth):
            blocks += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(width, n_classes)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=1.0)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.features(x))


model = WideMLP(16, 256, 8)
opt = torch.optim.Adagrad(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()

with torch.no_grad():
    print(f"initial loss {loss_fn(model(X_tr), y_tr).item():.3f} (ln 8 = {np.log(8):.3f})")

for epoch in range(12):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(X_tr), 100):
        idx = perm[i:i + 100]
        opt.zero_grad()
        loss = loss_fn(model(X_tr[idx]), y_tr[idx])
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch:2d} train_loss {tot / len(X_tr):.4f} test_acc {acc:.3f}")
