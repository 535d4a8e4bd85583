"""Seeded bug: a shared trunk with an nn.ModuleDict of task heads on the
wine table (3-class cultivar + regression of colour intensity). The optimizer
is built right after the trunk and the classification head; the regression
head is registered afterwards ("heads['color'] = ...") when the second task
was added, so its weights get gradients but are never updated. The colour
head's MSE stays at its random-init level. Measured: colour MSE 0.217 at the end (standardised
target) vs 0.178 with the head registered before the optimizer; the
cultivar loss is ~0.01 in both (the trunk partly compensates)."""
# traindebug-expect: frozen_or_unoptimized
import torch
from sklearn.datasets import load_wine
from torch import nn

X, y = load_wine(return_X_y=True)
color = X[:, 9].copy()
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
X[:, 9] = 0.0  # the colour column is the target of the second task
y = torch.tensor(y)
color = torch.tensor((color - color.mean()) / color.std(), dtype=torch.float32)


class MultiTask(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.heads = nn.ModuleDict({"cultivar": nn.Linear(32, 3)})

    def forward(self, x):
        h = self.trunk(x)
        return {name: head(h) for name, head in self.heads.items()}


torch.manual_seed(0)
model = MultiTask()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
model.heads["color"] = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0))  # BUG: added after the optimizer
ce, mse = nn.CrossEntropyLoss(), nn.MSELoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y, color), batch_size=16, shuffle=True)
log = []
for epoch in range(15):
    for xb, yb, cb in loader:
        out = model(xb)
        l_cls, l_col = ce(out["cultivar"], yb), mse(out["color"], cb)
        loss = l_cls + l_col
        opt.zero_grad()
        loss.backward()
        opt.step()
        log.append((l_cls.item(), l_col.item()))
    if epoch % 5 == 0:
        print(epoch, [round(sum(v) / len(v), 4) for v in zip(*log[-12:])])
last = log[-12:]
print(f"first {sum(log[0]):.4f} final cls {sum(a for a, _ in last) / 12:.4f} color {sum(b for _, b in last) / 12:.4f}")
