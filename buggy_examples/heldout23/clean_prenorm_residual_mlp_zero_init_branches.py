"""Healthy control: pre-norm residual MLP (Linear embed -> 4 x [x + W2 GELU(W1
LayerNorm(x))] -> LayerNorm -> head) on a 6-class make_classification problem,
AdamW with decoupled weight decay only on matrices, linear-warmup + cosine
LambdaLR, label smoothing 0.05, 10 epochs x 24 steps.

Legitimate pattern that can fool a naive detector: the second linear layer of
every residual branch is zero-initialised on purpose ("identity at init").
At step 0 these fc2 weight matrices are all-zero (identical rows), and the
branch's LayerNorm gain/bias and fc1 weights get exactly zero gradient
(measured grad norm 0.0 for blocks.0.norm.* and blocks.0.fc1.*, vs 0.56 for
blocks.0.fc2.weight and 1.05 for head.weight). The symmetry is broken by the
first update of fc2 and the branches train normally afterwards; LayerNorm
gains keep small gradients throughout, as usual.

Measured healthy run: train loss 1.55 (epoch 0) -> 0.363 (epoch 9; label
smoothing floor ~0.2), test loss 1.00 -> 0.505, test acc 0.622 -> 0.822
(chance 0.167, initial loss ~ln 6 = 1.79).
"""
# traindebug-expect: clean
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(13)


class PreNormBlock(nn.Module):
    """x + W2 GELU(W1 LN(x)); W2 starts at zero so each block is the identity at init."""

    def __init__(self, dim, expansion=2, p_drop=0.1):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim * expansion)
        self.fc2 = nn.Linear(dim * expansion, dim)
        self.drop = nn.Dropout(p_drop)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.norm(x)))))


class ResidualMLP(nn.Module):
    def __init__(self, d_in, dim, depth, n_classes):
        super().__init__()
        self.embed = nn.Linear(d_in, dim)
        self.blocks = nn.Sequential(*[PreNormBlock(dim) for _ in range(depth)])
        self.final_norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, x):
        return self.head(self.final_norm(self.blocks(self.embed(x))))


def warmup_cosine(total, warmup):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * t))
    return f


def main():
    X, y = make_classification(n_samples=2000, n_features=30, n_informative=12, n_redundant=6,
                               n_classes=6, n_clusters_per_class=2, class_sep=1.3, random_state=8)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    sc = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = ResidualMLP(30, dim=64, depth=4, n_classes=6)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
    epochs, bs = 10, 64
    steps_per_epoch = math.ceil(len(X_tr) / bs)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(epochs * steps_per_epoch, 30))

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(X_tr))
        tot = 0.0
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            te_acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch} train_loss {tot / len(X_tr):.4f} test_loss {te_loss:.4f} test_acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
