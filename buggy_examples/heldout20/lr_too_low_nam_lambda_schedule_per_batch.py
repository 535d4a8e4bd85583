"""Neural additive model (one small MLP per feature) on the sklearn diabetes data.

Seeded bug: the LambdaLR schedule is written in epochs ("halve every 10 epochs",
lambda e: 0.5 ** (e // 10)) but sched.step() is called after every optimizer step
(12 batches/epoch), so the rate halves every 10 batches: 3e-3 -> 2.3e-5 by epoch 5,
3.7e-7 by epoch 10 and ~4e-14 at the end. Training freezes after ~5 epochs.

Measured (30 epochs, 360 steps): buggy train MSE 0.549 / val MSE 0.612 (flat from
epoch 5 on); fixed (sched.step() once per epoch) train MSE 0.432 / val MSE 0.553.
"""
# traindebug-expect: lr_too_low
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class FeatureNet(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


class NeuralAdditiveModel(nn.Module):
    """One small shape function per input feature, summed."""

    def __init__(self, n_features, hidden=16):
        super().__init__()
        self.shape_fns = nn.ModuleList([FeatureNet(hidden) for _ in range(n_features)])
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        contribs = [f(x[:, i:i + 1]) for i, f in enumerate(self.shape_fns)]
        return torch.cat(contribs, dim=1).sum(dim=1) + self.bias


X, y = load_diabetes(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
Xtr, Xva = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
ytr, yva = torch.tensor(ytr, dtype=torch.float32), torch.tensor(yva, dtype=torch.float32)

model = NeuralAdditiveModel(X.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS, BS = 30, 32
# halve the learning rate every 10 epochs
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda e: 0.5 ** (e // 10))
loss_fn = nn.MSELoss()

n = len(Xtr)
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(n)
    tot = 0.0
    for i in range(0, n, BS):
        idx = perm[i:i + BS]
        pred = model(Xtr[idx])
        loss = loss_fn(pred, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(idx)
    if epoch % 5 == 0 or epoch == EPOCHS - 1:
        model.eval()
        with torch.no_grad():
            va = loss_fn(model(Xva), yva).item()
        print(f"epoch {epoch:2d} train_mse {tot / n:.4f} val_mse {va:.4f} lr {opt.param_groups[0]['lr']:.2e}")
