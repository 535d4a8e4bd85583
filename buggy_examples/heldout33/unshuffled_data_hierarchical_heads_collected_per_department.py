"""Hierarchical (coarse + fine) product classification with a shared trunk and two heads.

Synthetic catalogue: 12 fine product categories grouped into 4 departments (3 each);
every item is a 20-d feature vector.  Model: custom nn.Module, trunk 20-128-64 (ReLU),
a department head (4-way) and a category head (12-way); loss = CE(dept) + CE(category).
SGD with momentum 0.9, lr 0.05, batch 64, 5 epochs (190 steps), seed 0.

Seeded bug: the training set is assembled department by department (the way the
catalogue export is organised) and fed through `DataLoader(..., shuffle=False)`, so each
batch contains a single department and the model sees the departments one after another
in long blocks.  Every block drags both heads towards its own classes and the model
forgets earlier departments; at the end of each epoch it mostly predicts the last
department.  Correct: shuffle=True.

Measured (seed 0): buggy final train loss 4.99, test loss 4.31, test accuracy
department 0.285 / category 0.107 (chance 0.25 / 0.083); fixed copy (shuffle=True): train
loss 0.54, test loss 0.90, department 0.875 / category 0.880.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)

N_DEPT, PER_DEPT = 4, 3
N_CAT = N_DEPT * PER_DEPT

X, cat = make_classification(n_samples=3000, n_features=20, n_informative=12,
                             n_redundant=4, n_classes=N_CAT, n_clusters_per_class=1,
                             class_sep=1.6, random_state=0)
dept = cat // PER_DEPT

X_tr, X_te, cat_tr, cat_te, dept_tr, dept_te = train_test_split(
    X, cat, dept, test_size=0.2, random_state=0, stratify=cat)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)


def department_tables(X, cat, dept):
    """Rows grouped the way the catalogue export delivers them: one table per department."""
    tables = []
    for d in range(N_DEPT):
        m = dept == d
        tables.append((X[m], cat[m], dept[m]))
    return tables


tables = department_tables(X_tr, cat_tr, dept_tr)
train_ds = TensorDataset(
    torch.tensor(np.concatenate([t[0] for t in tables]), dtype=torch.float32),
    torch.tensor(np.concatenate([t[1] for t in tables])),
    torch.tensor(np.concatenate([t[2] for t in tables])),
)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=False)
X_te_t = torch.tensor(X_te, dtype=torch.float32)
cat_te_t, dept_te_t = torch.tensor(cat_te), torch.tensor(dept_te)


class HierarchicalClassifier(nn.Module):
    def __init__(self, n_in, n_dept, n_cat):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(n_in, 128), nn.ReLU(),
                                   nn.Linear(128, 64), nn.ReLU())
        self.dept_head = nn.Linear(64, n_dept)
        self.cat_head = nn.Linear(64, n_cat)

    def forward(self, x):
        h = self.trunk(x)
        return self.dept_head(h), self.cat_head(h)


model = HierarchicalClassifier(20, N_DEPT, N_CAT)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

step = 0
for epoch in range(5):
    model.train()
    running = 0.0
    for xb, cb, db in train_loader:
        dept_logits, cat_logits = model(xb)
        loss = F.cross_entropy(dept_logits, db) + F.cross_entropy(cat_logits, cb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
        step += 1
    model.eval()
    with torch.no_grad():
        dl, cl = model(X_te_t)
        dept_acc = (dl.argmax(1) == dept_te_t).float().mean().item()
        cat_acc = (cl.argmax(1) == cat_te_t).float().mean().item()
        test_loss = (F.cross_entropy(dl, dept_te_t) + F.cross_entropy(cl, cat_te_t)).item()
    print(f"epoch {epoch} step {step} train loss {running / len(train_loader):.3f} "
          f"test loss {test_loss:.3f} dept acc {dept_acc:.3f} cat acc {cat_acc:.3f}")

print(f"final test accuracy: department {dept_acc:.3f}, category {cat_acc:.3f}")
