"""Multi-label attribute tagging on sklearn digits: each 8x8 image gets 8
binary tags derived from its digit (even, >=5, prime, closed loop, curved
strokes, ...).  Small CNN (two 3x3 convs + MLP head, 8 logits), BCEWithLogits
loss, SGD with Nesterov momentum 0.9, lr 0.05, batch 64, 12 epochs (264 steps);
reports micro-F1 on a held-out split.

Seeded bug: weight_decay=5e-2 is passed to SGD.  The value was copied from an
AdamW recipe (0.05 is the usual decoupled decay for AdamW) but SGD adds wd*w
straight into the gradient, which momentum then amplifies, so the L2 pull
dominates the data gradient, the weights are held near zero and the tagger
never gets past predicting roughly the tag base rates.
Measured (fixed copy uses weight_decay=5e-4): final train loss 0.655 vs 0.121,
test micro-F1 0.306 vs 0.942.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(9)

TAGS = {
    "even":      {0, 2, 4, 6, 8},
    "large":     {5, 6, 7, 8, 9},
    "prime":     {2, 3, 5, 7},
    "loop":      {0, 6, 8, 9},
    "curved":    {0, 2, 3, 5, 6, 8, 9},
    "straight":  {1, 4, 7},
    "symmetric": {0, 1, 8},
    "square":    {0, 1, 4, 9},
}
digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
Y = torch.tensor([[d in s for s in TAGS.values()] for d in digits.target], dtype=torch.float32)
X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.25, random_state=9)
loader = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 16, 64), nn.ReLU(),
    nn.Linear(64, len(TAGS)),
)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-2)


def micro_f1(logits, targets):
    pred = (logits > 0).float()
    tp = (pred * targets).sum()
    return (2 * tp / (pred.sum() + targets.sum())).item()


for epoch in range(12):
    model.train()
    losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        logits = model(X_te)
        te_loss, f1 = criterion(logits, Y_te).item(), micro_f1(logits, Y_te)
    if epoch % 3 == 0 or epoch == 11:
        print(f"epoch {epoch:2d}  train loss {np.mean(losses):.4f}  test loss {te_loss:.4f}  test micro-F1 {f1:.3f}")

print(f"final: train loss {np.mean(losses):.4f}  test micro-F1 {f1:.3f}")
