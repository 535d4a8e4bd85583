"""Seeded bug: the training set is assembled class by class (one chunk per digit, as if
read from per-class folders) and the DataLoader uses shuffle=False. Every batch contains
one or two classes only, so each epoch drags the network through ten different label
distributions and the last classes seen dominate the predictions.

Measured (this script, seed 0): final epoch train loss 2.38 (best 1.95 mid-run), test acc
0.106 with 525 of 540 test predictions = 9, the last class seen.
With shuffle=True: train loss 0.152, test acc 0.943.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def build_class_chunks(X, y):
    chunks_x, chunks_y = [], []
    for label in np.unique(y):
        chunks_x.append(X[y == label])
        chunks_y.append(y[y == label])
    return np.concatenate(chunks_x), np.concatenate(chunks_y)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.cls = nn.Linear(64, 10)

    def forward(self, x):
        return self.cls(self.body(x))


def main():
    torch.manual_seed(0)
    digits = load_digits()
    X = digits.data.astype(np.float32) / 16.0
    y = digits.target
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    X_tr, y_tr = build_class_chunks(X_tr, y_tr)

    train_ds = TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long())
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=False)

    model = MLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(10):
        model.train()
        epoch_loss = 0.0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_loss += loss.item() * len(yb)
        model.eval()
        with torch.no_grad():
            preds = model(torch.from_numpy(X_te)).argmax(1).numpy()
        acc = (preds == y_te).mean()
        if epoch % 3 == 0 or epoch == 9:
            print(f"epoch {epoch} train loss {epoch_loss / len(train_ds):.4f} test acc {acc:.3f}")
    print("test prediction histogram:", np.bincount(preds, minlength=10).tolist())


if __name__ == "__main__":
    main()
