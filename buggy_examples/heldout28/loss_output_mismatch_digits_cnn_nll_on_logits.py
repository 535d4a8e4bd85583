"""Small CNN on sklearn digits (8x8, 10 classes), dataclass config, DataLoader,
Adam lr 1e-3, batch 64, 12 epochs (276 steps), test accuracy each epoch.

Seeded bug: the training criterion is nn.NLLLoss(), as in the classic PyTorch
MNIST example whose forward ends in F.log_softmax, but this model's forward
returns raw logits from the final Linear.  NLLLoss on logits is just
-logit[target]: it is unbounded below and never pushes the other classes down,
so the loss runs off towards minus infinity while all logits are inflated and
the arg-max carries no class information.
Measured (fixed copy uses nn.CrossEntropyLoss()): final epoch train loss
-6.1e5 vs 0.094, test accuracy 0.103 vs 0.972.
"""
# traindebug-expect: loss_output_mismatch
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class Config:
    batch_size: int = 64
    epochs: int = 12
    lr: float = 1e-3
    seed: int = 7


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target, dtype=torch.long)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=cfg.seed, stratify=y)
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=cfg.batch_size, shuffle=True)


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


model = DigitNet()
optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
criterion = nn.NLLLoss()

for epoch in range(cfg.epochs):
    model.train()
    running, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
        n += len(xb)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    if epoch % 3 == 0 or epoch == cfg.epochs - 1:
        print(f"epoch {epoch:2d}  train loss {running / n:.4f}  test acc {acc:.3f}")

print(f"final test accuracy: {acc:.3f}")
