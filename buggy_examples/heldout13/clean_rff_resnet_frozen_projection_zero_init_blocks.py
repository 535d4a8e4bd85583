"""Healthy control: residual MLP classifier on make_classification (4 classes) with a fixed
random-Fourier-feature lift in front.

Patterns a naive detector might flag: (1) the RFF projection self.rff is deliberately frozen
(requires_grad_(False), excluded from the optimizer) - it is a fixed random feature map, not a
forgotten layer; (2) every residual block's last Linear is zero-initialised so each block starts
as the identity; those weights have zero value but receive non-zero gradients from step 1 and
move immediately; (3) cosine schedule that decays the lr to ~0 exactly at the last step.
Measured: 300 Adam steps, batch loss 0.83 (step 60) -> 0.056 (step 300);
validation accuracy 0.805 -> 0.847, final train accuracy 0.982 (4 classes, chance 0.25).
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification

torch.manual_seed(4)

Xn, yn = make_classification(n_samples=3000, n_features=20, n_informative=12, n_redundant=4,
                             n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=4)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)
Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]


class ResBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 2 * d)
        self.fc2 = nn.Linear(2 * d, d)
        # start every block as the identity map
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(self.norm(x))))


class RFFResNet(nn.Module):
    """Fixed random Fourier feature lift followed by a trainable residual MLP."""

    def __init__(self, d_in, n_rff=64, d=64, n_blocks=4, n_cls=4):
        super().__init__()
        self.rff = nn.Linear(d_in, n_rff)
        nn.init.normal_(self.rff.weight, std=0.5)
        nn.init.uniform_(self.rff.bias, 0, 6.2832)
        self.rff.requires_grad_(False)
        self.stem = nn.Linear(d_in + 2 * n_rff, d)
        self.blocks = nn.Sequential(*[ResBlock(d) for _ in range(n_blocks)])
        self.out = nn.Linear(d, n_cls)

    def forward(self, x):
        r = self.rff(x)
        h = self.stem(torch.cat([x, torch.sin(r), torch.cos(r)], 1))
        return self.out(self.blocks(h))


def accuracy(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


model = RFFResNet(20)
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=2e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300)
step = 0
while step < 300:
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 48):
        idx = perm[i:i + 48]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        if step % 60 == 0:
            print(f"step {step} loss {loss.item():.4f} val acc {accuracy(model, Xva, yva):.3f}")
        if step == 300:
            break
print(f"final train acc {accuracy(model, Xtr, ytr):.3f} val acc {accuracy(model, Xva, yva):.3f}")
