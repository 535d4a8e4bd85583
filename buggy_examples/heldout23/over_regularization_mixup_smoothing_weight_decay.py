"""Small 2-D CNN on the 8x8 sklearn digits, trained with hand-written label smoothing
(soft one-hot targets) and mixup, SGD+Nesterov and a cosine schedule.

Seeded bug (over_regularization): weight_decay=5e-2 in the SGD optimizer (the usual value
for this setup is 5e-4). Combined with lr=0.05 the decay term dominates the gradient
term; all weights shrink towards zero and the network collapses to uniform outputs.

Measured (10 epochs, 220 steps): buggy parameter norm 4.3 -> 0.24, train loss stays
2.302 (ln 10), test CE 2.3026, test acc 0.10; fixed copy (5e-4) parameter norm
6.4 -> 9.0, test CE 0.298, test acc 0.964 (mixup/smoothing train loss ~0.87).
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

HPARAMS = dict(
    lr=0.05,
    momentum=0.9,
    weight_decay=5e-2,
    smoothing=0.1,
    mixup_alpha=0.2,
    epochs=10,
    batch_size=64,
)


class SmallConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 64)
        self.out = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)       # 8x8 -> 4x4
        x = F.relu(self.fc(x.flatten(1)))
        return self.out(x)


def smooth_one_hot(y, n_classes, eps):
    t = torch.full((y.shape[0], n_classes), eps / (n_classes - 1))
    t.scatter_(1, y.unsqueeze(1), 1.0 - eps)
    return t


def soft_cross_entropy(logits, target_probs):
    return -(target_probs * F.log_softmax(logits, dim=1)).sum(1).mean()


def mixup(x, t, alpha):
    lam = float(np.random.beta(alpha, alpha))
    lam = max(lam, 1.0 - lam)
    idx = torch.randperm(x.shape[0])
    return lam * x + (1 - lam) * x[idx], lam * t + (1 - lam) * t[idx]


def main(hp=HPARAMS):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.5).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr).long(), torch.from_numpy(yte).long()

    model = SmallConvNet()
    opt = torch.optim.SGD(model.parameters(), lr=hp["lr"], momentum=hp["momentum"],
                          weight_decay=hp["weight_decay"], nesterov=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=hp["epochs"])

    for epoch in range(hp["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot, nb = 0.0, 0
        for i in range(0, len(Xtr), hp["batch_size"]):
            idx = perm[i:i + hp["batch_size"]]
            xb = Xtr[idx]
            tb = smooth_one_hot(ytr[idx], 10, hp["smoothing"])
            xb, tb = mixup(xb, tb, hp["mixup_alpha"])
            loss = soft_cross_entropy(model(xb), tb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
            nb += 1
        sched.step()
        model.eval()
        with torch.no_grad():
            logits = model(Xte)
            te_loss = F.cross_entropy(logits, yte).item()
            acc = (logits.argmax(1) == yte).float().mean().item()
        if epoch % 3 == 0 or epoch == hp["epochs"] - 1:
            wn = sum(p.pow(2).sum() for p in model.parameters()).sqrt().item()
            print(f"ep {epoch:2d}  train {tot / nb:.4f}  test_ce {te_loss:.4f}  acc {acc:.3f}  |w| {wn:.2f}")
    return {"test_acc": acc, "test_ce": te_loss}


if __name__ == "__main__":
    main()
