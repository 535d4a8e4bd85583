"""Seeded bug: hand-rolled per-feature standardisation `(X - mean) / std`
without an epsilon. Several pixels of the 8x8 digits images are zero in every
training image, so their std is 0 and 0/0 gives NaN features. The NaNs flow
into the first layer's output, the loss and every gradient, and Adagrad then
writes NaN into all parameters after the first step.
Measured (seed 0): 3 of 64 features have std == 0 in the training split;
the loss is nan from step 0 to the end (220 steps, test acc 0.108), vs final
train loss 0.0013 (test acc 0.982) with `self.std.clamp_min(1e-6)`.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

rng = np.random.default_rng(0)
torch.manual_seed(0)


class Standardizer:
    def fit(self, x):
        self.mean = x.mean(0, keepdim=True)
        self.std = x.std(0, keepdim=True)
        return self

    def __call__(self, x):
        return (x - self.mean) / self.std


class DigitNet(nn.Module):
    def __init__(self, n_in=64, n_hidden=128, n_classes=10, p_drop=0.1):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_hidden)
        self.out = nn.Linear(n_hidden, n_classes)
        self.drop = nn.Dropout(p_drop)

    def forward(self, x):
        x = self.drop(torch.relu(self.fc1(x)))
        x = self.drop(torch.relu(self.fc2(x)))
        return self.out(x)


def main():
    X, y = load_digits(return_X_y=True)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_tr = 1400
    Xtr = torch.tensor(X[:n_tr], dtype=torch.float32)
    Xte = torch.tensor(X[n_tr:], dtype=torch.float32)
    ytr = torch.tensor(y[:n_tr])
    yte = torch.tensor(y[n_tr:])

    scaler = Standardizer().fit(Xtr)
    print("constant features:", int((scaler.std == 0).sum()))
    Xtr, Xte = scaler(Xtr), scaler(Xte)

    model = DigitNet()
    opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
    step = 0
    for epoch in range(10):
        model.train()
        perm = torch.randperm(n_tr)
        for i in range(0, n_tr, 64):
            idx = perm[i:i + 64]
            loss = nn.functional.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 40 == 0:
                print(f"step {step:4d}  loss {loss.item():.4f}")
            step += 1
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
        tr_loss = nn.functional.cross_entropy(model(Xtr), ytr).item()
    print(f"final train loss {tr_loss:.4f}  test acc {acc:.3f}  ({step} steps)")


if __name__ == "__main__":
    main()
