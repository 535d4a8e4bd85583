"""clean: deliberate gradient accumulation. A small 2-D CNN on the 8x8 digits
images is trained with micro-batches of 16 and 4 accumulation steps
(effective batch 64): each micro-batch loss is divided by ACCUM_STEPS,
backward() is called on every micro-batch, and optimizer.step() followed by
optimizer.zero_grad() runs only every 4th micro-batch. A naive detector that
sees .grad growing between backward() calls may call this "missing
zero_grad"; it is correct here.
Measured (seed 0): mean micro-batch loss 2.17 over the first 25 optimizer
steps -> full train loss 0.125 after 126 optimizer steps; test acc 0.952.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

ACCUM_STEPS = 4
MICRO_BATCH = 16
EPOCHS = 6


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    d = load_digits()
    idx = rng.permutation(len(d.target))
    X = torch.tensor(d.images[idx] / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target[idx])
    Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]

    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=MICRO_BATCH, shuffle=True, drop_last=True)
    model = SmallCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)

    opt_steps = 0
    window = []
    for epoch in range(EPOCHS):
        model.train()
        opt.zero_grad()
        for i, (xb, yb) in enumerate(loader):
            loss = F.cross_entropy(model(xb), yb)
            (loss / ACCUM_STEPS).backward()
            window.append(loss.item())
            if (i + 1) % ACCUM_STEPS == 0:
                opt.step()
                opt.zero_grad()
                opt_steps += 1
                if opt_steps % 25 == 0:
                    print(f"opt step {opt_steps:4d}  loss {np.mean(window):.4f}")
                    window = []
    model.eval()
    with torch.no_grad():
        tr = F.cross_entropy(model(Xtr), ytr).item()
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"final train loss {tr:.4f}  test acc {acc:.3f}  ({opt_steps} optimizer steps)")


if __name__ == "__main__":
    main()
