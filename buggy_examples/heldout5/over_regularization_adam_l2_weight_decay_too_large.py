"""Seeded bug: the small 2-D CNN on 8x8 digits is trained with torch.optim.Adam and
weight_decay=0.5 (a value copied from a config meant for a decoupled-decay optimizer with
a different convention). In Adam the L2 term is added to the gradient before the adaptive
normalisation, so the decay term dominates every update and the weights are held near
zero: the loss stays close to ln(10)=2.30.

Measured (this script, seed 0): final train loss 2.3025 (= ln 10, flat from epoch 0), val acc 0.081 (chance).
With weight_decay=1e-4: train loss 0.324, val acc 0.928.
"""
# traindebug-expect: over_regularization
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

CONFIG = {
    "lr": 2e-3,
    "weight_decay": 0.5,
    "batch_size": 40,
    "epochs": 6,
    "seed": 0,
}


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 2 * 2, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def main(cfg):
    torch.manual_seed(cfg["seed"])
    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(digits.target)
    x_tr, x_va, y_tr, y_va = train_test_split(images, labels, test_size=0.2, random_state=0)

    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])

    n = len(x_tr)
    for epoch in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(n)
        running, seen = 0.0, 0
        for start in range(0, n, cfg["batch_size"]):
            idx = perm[start:start + cfg["batch_size"]]
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(idx)
            seen += len(idx)
        model.eval()
        with torch.no_grad():
            val_acc = (model(x_va).argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch} train loss {running / seen:.4f} val acc {val_acc:.3f}")


if __name__ == "__main__":
    main(CONFIG)
