"""Healthy control: 4-class tabular classifier on a strongly imbalanced dataset
(train counts 3960 / 315 / 158 / 67), trained with a WeightedRandomSampler (inverse class
frequency, replacement=True).

Patterns that could fool a naive detector: the global label distribution is very
skewed (looks like "extreme class imbalance"), and the batches are not a uniform
permutation of the dataset: the sampler draws the classes roughly equally, so each
batch's label distribution differs strongly from the global one. Minority samples are
repeated many times per epoch. All of this is intended.

Measured (5 epochs, 355 steps): loss 0.433 -> 0.013; balanced accuracy 0.93, macro-F1
0.87 -> 0.92 on a stratified held-out split.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader, WeightedRandomSampler

torch.set_num_threads(1)
torch.manual_seed(17)

X, y = make_classification(n_samples=6000, n_features=20, n_informative=10, n_redundant=4,
                           n_classes=4, n_clusters_per_class=1, weights=[0.88, 0.07, 0.035, 0.015],
                           class_sep=1.4, flip_y=0.0, random_state=17)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=17)
print("train class counts:", np.bincount(y_tr))

sc = StandardScaler().fit(X_tr)
X_tr, X_te = sc.transform(X_tr).astype(np.float32), sc.transform(X_te).astype(np.float32)

class_counts = np.bincount(y_tr)
sample_weights = (1.0 / class_counts)[y_tr]
sampler = WeightedRandomSampler(torch.as_tensor(sample_weights, dtype=torch.double),
                                num_samples=len(y_tr), replacement=True,
                                generator=torch.Generator().manual_seed(0))
train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long()),
                      batch_size=64, sampler=sampler)

model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.1),
                      nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 4))
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
criterion = nn.CrossEntropyLoss()
X_te_t = torch.from_numpy(X_te)

for epoch in range(5):
    model.train()
    tot, seen = 0.0, np.zeros(4, dtype=int)
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
        seen += np.bincount(yb.numpy(), minlength=4)
    model.eval()
    with torch.no_grad():
        pred = model(X_te_t).argmax(1).numpy()
    print(f"epoch {epoch+1}: loss={tot/len(y_tr):.4f} sampled={seen.tolist()} "
          f"bal_acc={balanced_accuracy_score(y_te, pred):.3f} macro_f1={f1_score(y_te, pred, average='macro'):.3f}")
