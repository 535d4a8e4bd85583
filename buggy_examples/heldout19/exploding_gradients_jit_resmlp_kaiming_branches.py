"""Normalisation-free residual MLP (TorchScript-compiled) on a synthetic 3-class task.

Seeded bug (exploding_gradients): every Linear layer, including the last layer of
each residual branch, gets Kaiming-normal init, and the branches are added to the
skip path unscaled (no BatchNorm, no zero-init of the branch output / Fixup-style
1/sqrt(depth) scaling). Each of the 8 blocks roughly doubles the activation and
backward-signal variance, so gradients are huge from step 0 and grow by many
orders of magnitude within the first epoch, after which the weights overflow.
Measured: buggy step-0 grad norm 1.0e3, max grad norm 6.5e16 in epoch 0, then loss
NaN, val_acc 0.348 (chance); fixed (zero-init of each block's fc2 weight) grad norm
0.8-6, final train loss 0.090, val_acc 0.945.
"""
# traindebug-expect: exploding_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)


class ResBlock(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(F.relu(self.fc1(x)))


class ResMLP(nn.Module):
    """Normalisation-free residual MLP (no BatchNorm so it can be TorchScript-exported
    and used with batch size 1 at inference)."""

    def __init__(self, d_in: int, width: int, depth: int, n_out: int):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList([ResBlock(width) for _ in range(depth)])
        self.head = nn.Linear(width, n_out)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        for blk in self.blocks:
            h = blk(h)
        return self.head(F.relu(h))


X, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_classes=3,
                           n_clusters_per_class=2, class_sep=1.2, random_state=0)
X = StandardScaler().fit_transform(X).astype(np.float32)
X, y = torch.tensor(X), torch.tensor(y).long()
Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]

model = torch.jit.script(ResMLP(20, 64, depth=8, n_out=3))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

step = 0
for epoch in range(8):
    perm = torch.randperm(len(Xtr))
    losses, gns = [], []
    for i in range(0, len(Xtr), 96):
        idx = perm[i:i + 96]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gns.append(torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters())).item())
        opt.step()
        step += 1
        losses.append(loss.item())
    with torch.no_grad():
        out = model(Xva)
        acc = (out.argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} step {step:4d} train_loss {np.mean(losses):.4g} grad_norm[first {gns[0]:.3g} max {max(gns):.3g}] val_acc {acc:.3f}")
