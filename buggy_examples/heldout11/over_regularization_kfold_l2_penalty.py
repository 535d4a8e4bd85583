"""5-fold cross-validated MLP on the wine dataset with a hand-written L2 penalty.

Seeded bug (over_regularization): the explicit L2 term is added to the loss with
l2_lambda=1e-1 on the *sum* of squared weights (about 5k weights), so the decay
term dominates the cross-entropy gradient on every step and the weights are pulled
towards zero; a value around 1e-4 was intended.

Measured (5 folds x 60 Adam steps = 300 steps): CV train CE 0.732, val CE 0.708,
val acc 0.831 +- 0.069.  With l2_lambda=1e-4: train CE 0.007, val CE 0.054,
val acc 0.983 +- 0.014.
"""
# traindebug-expect: over_regularization
import io
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = dict(hidden=64, lr=3e-3, epochs=12, batch_size=32, n_folds=5, l2_lambda=1e-1)


def collate(batch):
    xs, ys = zip(*batch)
    return torch.stack(xs), torch.stack(ys)


class WineNet(nn.Module):
    def __init__(self, d_in, hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, n_out)

    def forward(self, x):
        x = F.gelu(self.fc1(x))
        x = F.gelu(self.fc2(x))
        return self.out(x)


def l2_penalty(model):
    return sum(p.pow(2).sum() for name, p in model.named_parameters() if "weight" in name)


def run_fold(fold, X_tr, y_tr, X_va, y_va):
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.long)
    y_va = torch.tensor(y_va, dtype=torch.long)

    ds = torch.utils.data.TensorDataset(X_tr, y_tr)
    g = torch.Generator().manual_seed(fold)
    loader = torch.utils.data.DataLoader(ds, batch_size=CFG["batch_size"], shuffle=True,
                                         collate_fn=collate, generator=g)
    model = WineNet(X_tr.shape[1], CFG["hidden"], 3)
    opt = torch.optim.Adam(model.parameters(), lr=CFG["lr"])

    steps = 0
    for epoch in range(CFG["epochs"]):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in loader:
            logits = model(xb)
            ce = F.cross_entropy(logits, yb)
            loss = ce + CFG["l2_lambda"] * l2_penalty(model)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += ce.item() * len(yb)
            n += len(yb)
            steps += 1
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va)
        va_loss = F.cross_entropy(va_logits, y_va).item()
        va_acc = (va_logits.argmax(1) == y_va).float().mean().item()
    print(f"fold {fold}: steps={steps} train_ce={tot / n:.3f} val_ce={va_loss:.3f} val_acc={va_acc:.3f}")
    return tot / n, va_loss, va_acc


def main():
    X, y = load_wine(return_X_y=True)
    skf = StratifiedKFold(n_splits=CFG["n_folds"], shuffle=True, random_state=0)
    results = []
    for fold, (tr, va) in enumerate(skf.split(X, y)):
        results.append(run_fold(fold, X[tr], y[tr], X[va], y[va]))
    r = np.array(results)
    print(f"CV mean: train_ce={r[:, 0].mean():.3f} val_ce={r[:, 1].mean():.3f} "
          f"val_acc={r[:, 2].mean():.3f} +- {r[:, 2].std():.3f}")


if __name__ == "__main__":
    main()
