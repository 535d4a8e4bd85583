"""Seeded bug: the classifier head is re-created (to match the number of classes found
in the data) AFTER the optimizer was built from model.parameters(). The new head receives
gradients every step but is not in the optimizer, so its weights never change; only the
encoder adapts to a fixed random projection.

Measured (this script, seed 0): final train loss 1.56, test acc 0.55.
With the optimizer built after the head is replaced: train loss 0.72, test acc 0.86.
"""
# traindebug-expect: frozen_or_unoptimized
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)


class DigitNet(nn.Module):
    def __init__(self, in_dim=64, hidden=64, n_classes=10):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, 8), nn.Tanh(),
        )
        self.head = nn.Linear(8, n_classes)

    def reset_classifier(self, n_classes):
        self.head = nn.Linear(self.head.in_features, n_classes)

    def forward(self, x):
        return self.head(self.encoder(x))


def main():
    digits = load_digits()
    X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)

    model = DigitNet(n_classes=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    n_classes = int(ytr.max()) + 1
    if n_classes != model.head.out_features:
        model.reset_classifier(n_classes)

    batch = 64
    step = 0
    for epoch in range(8):
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), batch):
            idx = perm[i:i + batch]
            logits = model(Xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        print(f"epoch {epoch} step {step} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        train_loss = F.cross_entropy(model(Xtr), ytr).item()
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"final train loss {train_loss:.4f} test acc {acc:.3f}")


if __name__ == "__main__":
    main()
