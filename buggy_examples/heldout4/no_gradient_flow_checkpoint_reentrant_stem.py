"""Seeded bug: a residual MLP on the breast-cancer table that saves memory
with torch.utils.checkpoint on every block, including the stem, using the
old reentrant implementation (use_reentrant=True). The stem's input is the
data batch, which does not require grad, so the reentrant checkpoint returns
an output without a graph: the stem's weights never receive a gradient and
stay random (PyTorch only prints a UserWarning). The stem
compresses the 30 features to 2 before the blocks. Measured: loss 0.92 ->
0.54 vs 0.92 -> 0.053 with use_reentrant=False."""
# traindebug-expect: no_gradient_flow
import warnings

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn
from torch.utils.checkpoint import checkpoint

warnings.filterwarnings("ignore")  # silence the checkpoint warnings in the log


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.f = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))

    def forward(self, x):
        return x + self.f(x)


class CheckpointedNet(nn.Module):
    def __init__(self, d_in, d=64, depth=3):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(d_in, d), nn.Tanh(), nn.Linear(d, 2))
        self.blocks = nn.ModuleList(Block(2) for _ in range(depth))
        self.head = nn.Linear(2, 2)

    def forward(self, x):
        x = checkpoint(self.stem, x, use_reentrant=True)  # BUG: x has no grad -> no graph
        for blk in self.blocks:
            x = checkpoint(blk, x, use_reentrant=True)
        return self.head(x)


X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
torch.manual_seed(0)
model = CheckpointedNet(30)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
crit = nn.CrossEntropyLoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
losses = []
for epoch in range(15):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    if epoch % 3 == 0:
        print(epoch, round(sum(losses[-18:]) / 18, 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
