"""Small BatchNorm CNN on sklearn digits, trained with Adagrad from a custom Dataset built
from two pandas tables (pixel features and annotations) keyed by sample_id.

Seeded bug: the feature table is sorted by sample_id, while the label table stays in
the annotation tool's export order; the two are then combined with
pd.concat(axis=1) after reset_index, i.e. by row position rather than by sample_id.
Every image gets a random other image's label. The assert only checks for missing
values and row count, so it passes.

Measured (seed 21, 300 Adagrad steps): train loss 2.255 (ln 10 = 2.303), test accuracy
0.078 (chance 0.10). Fixed copy (features.merge(labels, on="sample_id")): train loss
0.032, test accuracy 0.989.
"""
# traindebug-expect: label_problem
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)

# --- simulate the two exports we get from the labelling pipeline -----------------
digits = load_digits()
n = len(digits.target)
sample_ids = rng.choice(np.arange(10_000, 99_999), size=n, replace=False)

features = pd.DataFrame(digits.data / 16.0, columns=[f"px{i}" for i in range(64)])
features.insert(0, "sample_id", sample_ids)
labels = pd.DataFrame({"sample_id": sample_ids, "digit": digits.target})
labels = labels.sample(frac=1.0, random_state=3)            # annotation tool exports in its own order

# keep feature rows in id order so re-runs are reproducible
features = features.sort_values("sample_id").reset_index(drop=True)
labels = labels.reset_index(drop=True)
table = pd.concat([features, labels[["digit"]]], axis=1)
assert table["digit"].notna().all() and len(table) == n


class DigitsTable(Dataset):
    def __init__(self, frame):
        self.x = torch.tensor(frame.filter(like="px").to_numpy(), dtype=torch.float32)
        self.y = torch.tensor(frame["digit"].to_numpy(), dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i].view(1, 8, 8), self.y[i]


split = int(0.8 * n)
train_ds = DigitsTable(table.iloc[:split])
test_ds = DigitsTable(table.iloc[split:])
train_dl = DataLoader(train_ds, batch_size=48, shuffle=True)
test_dl = DataLoader(test_ds, batch_size=512)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
    nn.AdaptiveAvgPool2d(2), nn.Flatten(),
    nn.Linear(128, 10),
)
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
crit = nn.CrossEntropyLoss()

step = 0
for epoch in range(1, 11):
    model.train()
    tot, seen = 0.0, 0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        tot += loss.item() * len(yb)
        seen += len(yb)
        step += 1
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test_dl:
            correct += (model(xb).argmax(1) == yb).sum().item()
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d} step {step} train_loss {tot / seen:.4f} test_acc {correct / len(test_ds):.3f}")
