"""Healthy control: wide ReLU MLP (2-512-512-4, nn.ModuleDict) on a 4-class moons + circles
toy problem, Adam.

Pattern that may fool a naive detector: many ReLU units are inactive. After training 30.7% of
the 512 second-layer units never activate on any training or test point (5% in the first
layer) and ~61% of second-layer activations are exactly zero - yet the remaining units are
more than enough for this 2-D problem.
Measured: train loss 0.015, test acc 0.993 after 288 optimizer steps.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons, make_circles
from sklearn.model_selection import train_test_split


def make_data(seed=0):
    Xa, ya = make_moons(n_samples=1500, noise=0.12, random_state=seed)
    Xb, yb = make_circles(n_samples=1500, noise=0.06, factor=0.45, random_state=seed)
    Xb = Xb * 0.8 + np.array([3.5, 0.0])
    X = np.vstack([Xa, Xb]).astype(np.float32)
    y = np.concatenate([ya, yb + 2])
    X = (X - X.mean(0)) / X.std(0)
    return X, y


class WideReLUNet(nn.Module):
    def __init__(self, width=512, n_classes=4):
        super().__init__()
        self.layers = nn.ModuleDict({
            "fc1": nn.Linear(2, width),
            "fc2": nn.Linear(width, width),
            "out": nn.Linear(width, n_classes),
        })
        self.act = nn.ReLU()

    def forward(self, x):
        h = self.act(self.layers["fc1"](x))
        h = self.act(self.layers["fc2"](h))
        return self.layers["out"](h)


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = make_data()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    X_tr, X_te = torch.tensor(X_tr), torch.tensor(X_te)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = WideReLUNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(12):
        model.train()
        perm = torch.randperm(len(X_tr))
        tot = 0.0
        for i in range(0, len(X_tr), 96):
            idx = perm[i:i + 96]
            opt.zero_grad()
            loss = loss_fn(model(X_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} loss {tot / len(X_tr):.4f} test_acc {acc:.4f}")
