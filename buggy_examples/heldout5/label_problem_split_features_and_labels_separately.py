"""Seeded bug: features and labels are passed to two separate train_test_split calls.
The features use random_state=42 but the label split has no random_state, so the
train/val labels are shuffled independently of the rows they belong to. Labels carry no
usable signal: train loss only creeps down from ln(3)=1.10 by memorisation and val
accuracy stays near the majority-class rate (0.40).

Measured (this script; the label split is unseeded so numbers vary slightly per run):
final train loss 0.89, val acc 0.47 (0.44-0.53 over epochs).
With matching random_state=42 on the label split: train loss 0.006, val acc 1.00.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class WineClassifier(nn.Module):
    def __init__(self, n_features, n_classes, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(n_features, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, n_classes)
        self.act = nn.GELU()

    def forward(self, x):
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        return self.out(x)


def batches(n, batch_size, rng):
    order = rng.permutation(n)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = load_wine(return_X_y=True)

    X_train, X_val = train_test_split(X, test_size=0.25, random_state=42)
    y_train, y_val = train_test_split(y, test_size=0.25)

    scaler = StandardScaler().fit(X_train)
    X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
    X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
    y_train = torch.tensor(y_train, dtype=torch.long)
    y_val = torch.tensor(y_val, dtype=torch.long)

    model = WineClassifier(X_train.shape[1], 3)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(40):
        model.train()
        losses = []
        for idx in batches(len(X_train), 32, rng):
            loss = criterion(model(X_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        if epoch % 10 == 0 or epoch == 39:
            model.eval()
            with torch.no_grad():
                acc = (model(X_val).argmax(1) == y_val).float().mean().item()
            print(f"epoch {epoch} train loss {np.mean(losses):.4f} val acc {acc:.3f}")


if __name__ == "__main__":
    main()
