"""Digits MLP (64-128-128-10) with a custom _init_weights applied via self.apply.

Seeded bug: _init_weights sets every Linear weight to the constant 0.01 (meant as a "small
init") and biases to zero. All 128 hidden units of a layer compute the same function and get
the same gradient, so they stay identical forever; the network behaves like a 1-unit-wide MLP.
Measured effect (276 AdamW steps): after training fc1 and fc2 each still have exactly 1 distinct
weight row; loss 1.88, train acc 0.255, test acc 0.225. Fixed (normal_(std=0.01)): loss 0.17,
train acc 0.955, test acc 0.944.
"""
# traindebug-expect: symmetric_init
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from sklearn.datasets import load_digits


class DigitsMLP(nn.Module):
    def __init__(self, n_in=64, hidden=128, n_out=10):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_out),
        )
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        # small init keeps the logits close to uniform at the start
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.01)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader):
    model.eval()
    correct = n = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            n += len(yb)
    return correct / n


if __name__ == "__main__":
    torch.manual_seed(7)
    d = load_digits()
    X = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target)
    train_ds, test_ds = random_split(TensorDataset(X, y), [1437, 360],
                                     generator=torch.Generator().manual_seed(7))
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
    test_dl = DataLoader(test_ds, batch_size=360)

    model = DigitsMLP()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    crit = nn.CrossEntropyLoss()
    for epoch in range(12):
        model.train()
        tot = 0.0
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
        print(f"epoch {epoch:2d} loss {tot / len(train_ds):.4f} "
              f"train_acc {evaluate(model, train_dl):.3f} test_acc {evaluate(model, test_dl):.3f}")
