"""Seeded bug: a custom init draws every weight from N(0, 1) (std 1 instead of
~1/sqrt(fan_in)); logits are huge at step 0 and the initial cross-entropy is
far above ln(10)."""
# traindebug-expect: bad_init_scale
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn


def init_weights(m: nn.Module) -> None:
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=1.0)  # BUG: should scale with 1/sqrt(fan_in)
        nn.init.zeros_(m.bias)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X / 16.0, y, test_size=0.2, random_state=0)
Xtr, ytr = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
model.apply(init_weights)
opt = torch.optim.SGD(model.parameters(), lr=1e-3)
for epoch in range(6):
    for xb, yb in zip(Xtr.split(64), ytr.split(64)):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
