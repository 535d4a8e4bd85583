"""Clean control: 10-block pre-norm residual MLP in which the last Linear (weight and bias) of
every block is zero-initialised so each block starts as the identity (SkipInit/Fixup style).
Those layers start as all-zero matrices with identical rows, but symmetry is broken by the
nonzero gradient from the residual stream after the first step. Measured healthy (300 SGD +
OneCycleLR steps): train loss 0.12 (epoch 4) -> 0.027, test acc 0.965, ROC AUC 0.997.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


class ResidualBlock(nn.Module):
    def __init__(self, width, expansion=2, p_drop=0.1):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width * expansion)
        self.fc2 = nn.Linear(width * expansion, width)
        self.drop = nn.Dropout(p_drop)
        # start every block as the identity map
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.drop(self.fc2(F.silu(self.fc1(self.norm(x)))))


class DeepResMLP(nn.Module):
    def __init__(self, d_in, width=32, depth=10):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(depth)])
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        return self.head(self.norm(self.blocks(self.stem(x)))).squeeze(-1)


def run(seed=4, epochs=20, batch_size=32):
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr, dtype=torch.float32)
    yte_np = yte
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=batch_size, shuffle=True)

    model = DeepResMLP(Xtr.shape[1])
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, epochs=epochs, steps_per_epoch=len(loader))

    for epoch in range(epochs):
        model.train()
        losses = []
        for xb, yb in loader:
            loss = F.binary_cross_entropy_with_logits(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        if epoch % 4 == 3:
            model.eval()
            with torch.no_grad():
                p = torch.sigmoid(model(Xte)).numpy()
            acc = ((p > 0.5) == yte_np).mean()
            print(f"epoch {epoch + 1:2d}  loss {np.mean(losses):.4f}  test acc {acc:.3f}  auc {roc_auc_score(yte_np, p):.4f}")


if __name__ == "__main__":
    run()
