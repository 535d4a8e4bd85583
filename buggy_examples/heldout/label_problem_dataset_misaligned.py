"""Seeded bug: a torch Dataset subclass over the breast-cancer table with a
collate_fn; __init__ sorts the feature rows by one column ("for nicer
batching") but keeps the labels in the original order, so labels no longer
belong to their rows."""
# traindebug-expect: label_problem
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn
from torch.utils.data import DataLoader, Dataset


class TabularDataset(Dataset):
    def __init__(self, features: np.ndarray, labels: np.ndarray):
        mean, std = features.mean(0), features.std(0)
        features = (features - mean) / std
        order = np.argsort(features[:, 3])
        self.features = features[order]  # BUG: labels are not reordered
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"x": self.features[i].astype(np.float32), "y": int(self.labels[i])}


def collate(batch):
    x = torch.from_numpy(np.stack([b["x"] for b in batch]))
    y = torch.tensor([b["y"] for b in batch], dtype=torch.float32)
    return x, y


torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
loader = DataLoader(TabularDataset(X, y), batch_size=32, shuffle=True, collate_fn=collate)
model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(16):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(-1), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
