"""Healthy control: deep pre-LayerNorm residual MLP (16 blocks, 33 Linear layers) on make_friedman1 regression, AdamW + cosine schedule.

Patterns that may fool a naive detector: the network is deep (which often suggests vanishing or
exploding gradients), and the last Linear of every residual branch is initialised to exactly zero
(Fixup/ReZero-style "identity at init"). The zero layers are not a symmetry problem: the first
Linear of each branch is randomly initialised, the zero layer receives non-zero, unit-distinct
gradients on the first step, and the skip connections plus LayerNorm keep gradients well scaled
through the whole depth.

Measured (8 epochs, 128 steps): train MSE (standardised target) 0.39 -> 0.051,
test MSE 0.225 -> 0.057, test R^2 0.775 -> 0.943.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(13)
torch.set_num_threads(2)


class PreLNBlock(nn.Module):
    def __init__(self, dim, expansion=2):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim * expansion)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(dim * expansion, dim)
        # residual branch starts as the identity map
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(self.norm(x))))


class DeepResMLP(nn.Module):
    def __init__(self, d_in, width=32, depth=16):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[PreLNBlock(width) for _ in range(depth)])
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        return self.head(self.norm(self.blocks(self.stem(x)))).squeeze(-1)


def main():
    X, y = make_friedman1(n_samples=2500, n_features=10, noise=0.5, random_state=13)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=13)
    xs, ys = StandardScaler().fit(Xtr), StandardScaler().fit(ytr[:, None])
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    Xtr, Xte = to_t(xs.transform(Xtr)), to_t(xs.transform(Xte))
    ytr, yte = to_t(ys.transform(ytr[:, None]).ravel()), to_t(ys.transform(yte[:, None]).ravel())

    model = DeepResMLP(Xtr.shape[1])
    n_params = sum(p.numel() for p in model.parameters())
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
    total_steps = 8 * ((len(Xtr) + 127) // 128)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    print(f"{len(model.blocks)} residual blocks, {n_params} parameters, {total_steps} steps")

    for epoch in range(8):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot = 0.0
        for i in range(0, len(Xtr), 128):
            idx = perm[i:i + 128]
            loss = nn.functional.mse_loss(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            te = nn.functional.mse_loss(model(Xte), yte).item()
        if epoch % 2 == 1 or epoch == 0:
            print(f"epoch {epoch}  train_mse {tot / len(Xtr):.4f}  test_mse {te:.4f}  "
                  f"test_R2 {1 - te / yte.var().item():.3f}")


if __name__ == "__main__":
    main()
