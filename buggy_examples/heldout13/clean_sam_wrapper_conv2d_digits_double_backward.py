"""Healthy control: 2-D CNN with BatchNorm on sklearn digits (8x8), trained with
a Sharpness-Aware Minimization (SAM) wrapper around SGD+momentum, cosine LR.

Legitimate pattern that may fool a naive detector: every step runs two
forward/backward passes; the first gradient is used only to perturb the weights
(p += rho * g/|g|), then the weights are restored and the base optimizer steps on
the second gradient. Parameters therefore change twice per step and the loss
printed is the loss at the perturbed point; gradients are zeroed between passes.
Measured (207 steps): val loss 0.090 -> 0.066, val acc 0.967-0.972,
train loss ~0.01-0.04.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(21)


class SAM(torch.optim.Optimizer):
    """Sharpness-Aware Minimization (Foret et al. 2021) around a base optimizer."""

    def __init__(self, params, base_cls, rho=0.05, **kw):
        super().__init__(params, dict(rho=rho, **kw))
        self.base = base_cls(self.param_groups, **kw)
        self.param_groups = self.base.param_groups

    @torch.no_grad()
    def first_step(self):
        gnorm = torch.norm(torch.stack([p.grad.norm() for g in self.param_groups
                                        for p in g["params"] if p.grad is not None]))
        for g in self.param_groups:
            scale = g["rho"] / (gnorm + 1e-12)
            for p in g["params"]:
                if p.grad is None:
                    continue
                e_w = p.grad * scale
                p.add_(e_w)
                self.state[p]["e_w"] = e_w
        self.zero_grad()

    @torch.no_grad()
    def second_step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if "e_w" in self.state[p]:
                    p.sub_(self.state[p]["e_w"])
        self.base.step()
        self.zero_grad()


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(x.flatten(1))


d = load_digits()
X = (d.images / 16.0).astype(np.float32)[:, None]
X = (X - X.mean()) / X.std()
Xtr, Xva, ytr, yva = train_test_split(X, d.target, test_size=0.2, stratify=d.target, random_state=0)
Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
ytr, yva = torch.from_numpy(ytr).long(), torch.from_numpy(yva).long()

model = SmallCNN()
opt = SAM(model.parameters(), torch.optim.SGD, rho=0.05, lr=0.05, momentum=0.9, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt.base, T_max=9 * 23)

step = 0
for epoch in range(9):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        xb, yb = Xtr[idx], ytr[idx]
        F.cross_entropy(model(xb), yb).backward()
        opt.first_step()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.second_step()
        sched.step()
        step += 1
    if epoch % 3 == 2:
        model.eval()
        with torch.no_grad():
            out = model(Xva)
            va_loss = F.cross_entropy(out, yva).item()
            acc = (out.argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch + 1:2d} step {step} train_loss {loss.item():.4f} "
              f"val_loss {va_loss:.4f} val_acc {acc:.3f}")
