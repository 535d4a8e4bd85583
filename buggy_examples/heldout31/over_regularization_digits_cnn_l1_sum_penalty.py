"""
Small CNN on the 8x8 digits (2 conv layers, max-pool, 512 -> 64 -> 10 head), custom nn.Module,
dataclass config, Adam lr 2e-3, batch 64 via DataLoader, 8 epochs (~170 steps), cross-entropy
plus an L1 sparsity penalty on all weight tensors.

Seeded bug: l1_lambda = 5e-3 is applied to the *sum* of absolute values over ~38k weights. The
summed |w| is several hundred at initialisation, so the penalty is comparable to or larger than
the cross-entropy, and its per-weight gradient (5e-3 * sign(w)) dwarfs the data gradient, so Adam
drives every weight to zero and the network outputs uniform logits. Realistic: an L1 coefficient
of this size is fine for a per-weight mean or a tiny linear model, and was copied over.

Measured (seed 0, 1 thread): buggy final train CE 2.303, test CE 2.303, test accuracy 0.100,
summed |w| 154 after epoch 1 -> 9.6 at the end; fixed copy (l1_lambda 1e-5) train CE 0.096, test CE 0.118, test
accuracy 0.969. Runtime ~12 s CPU.
"""
# traindebug-expect: over_regularization
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class Config:
    seed: int = 0
    batch_size: int = 64
    epochs: int = 8
    lr: float = 2e-3
    l1_lambda: float = 5e-3      # sparsity penalty on the weights
    channels: int = 16


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)


class SmallCNN(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, 2 * c, 3, padding=1)
        self.fc1 = nn.Linear(2 * c * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def l1_penalty(model):
    return sum(p.abs().sum() for name, p in model.named_parameters() if "weight" in name)


digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target)
idx_tr, idx_te = train_test_split(np.arange(len(y)), test_size=0.25, random_state=cfg.seed, stratify=digits.target)
train_loader = DataLoader(TensorDataset(X[idx_tr], y[idx_tr]), batch_size=cfg.batch_size, shuffle=True)
X_te, y_te = X[idx_te], y[idx_te]

model = SmallCNN(cfg.channels)
optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)

for epoch in range(1, cfg.epochs + 1):
    model.train()
    ce_sum, n = 0.0, 0
    for xb, yb in train_loader:
        logits = model(xb)
        ce = F.cross_entropy(logits, yb)
        loss = ce + cfg.l1_lambda * l1_penalty(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ce_sum += ce.item() * len(xb)
        n += len(xb)
    model.eval()
    with torch.no_grad():
        logits = model(X_te)
        test_ce = F.cross_entropy(logits, y_te).item()
        test_acc = (logits.argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch:2d} train_ce {ce_sum / n:.4f} l1 {l1_penalty(model).item():8.2f} "
          f"test_ce {test_ce:.4f} test_acc {test_acc:.4f}")

print(f"final: train_ce {ce_sum / n:.4f} test_ce {test_ce:.4f} test_acc {test_acc:.4f}")
