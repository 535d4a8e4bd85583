"""clean: a shared conv trunk on the 8x8 digits images with an
nn.ModuleDict of two heads (digit class, and parity of the digit), trained
with AdamW at weight decay 0.05 (strong but sane), mixup (alpha 0.2) on the
inputs and label smoothing 0.1 in both cross-entropies, so the loss cannot
reach 0. Measured: summed loss 2.99 -> 1.28, digit accuracy
0.987."""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
y = torch.tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1),
                                   nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 16, 64), nn.ReLU())
        self.heads = nn.ModuleDict({"digit": nn.Linear(64, 10), "parity": nn.Linear(64, 2)})

    def forward(self, x):
        h = self.trunk(x)
        return {k: head(h) for k, head in self.heads.items()}


torch.manual_seed(0)
rng = np.random.default_rng(0)
model = Net()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
losses = []
for epoch in range(5):
    for xb, yb in loader:
        lam = float(rng.beta(0.2, 0.2))
        perm = torch.randperm(len(xb))
        out = model(lam * xb + (1 - lam) * xb[perm])
        targets = {"digit": yb, "parity": yb % 2}
        loss = sum(lam * F.cross_entropy(out[k], t, label_smoothing=0.1)
                   + (1 - lam) * F.cross_entropy(out[k], t[perm], label_smoothing=0.1)
                   for k, t in targets.items())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(epoch, round(sum(losses[-56:]) / 56, 4))
with torch.no_grad():
    acc = (model(X)["digit"].argmax(1) == y).float().mean().item()
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f} digit accuracy {acc:.3f}")
