"""5-fold stratified cross-validation on breast-cancer data, fresh nn.Sequential per fold, SGD+momentum
with a hand-written TF-style exponential decay (lr = base * 0.1 ** (step / decay_steps)).

Seeded bug: decay_steps is passed in epochs (DECAY_EPOCHS = 10) although `step` counts optimizer
steps, so the rate falls by 10x every 10 *steps* and is ~0 (6e-14 at the end) after a few dozen of
the ~105 steps per fold.
Measured (folds 1-3): buggy val_loss 0.49 / 0.53 / 0.46, val_acc 0.965 / 0.868 / 0.877;
fixed (decay_steps = DECAY_EPOCHS * steps_per_epoch) val_loss 0.028 / 0.075 / 0.077,
val_acc 0.991 / 0.974 / 0.982.
"""
# traindebug-expect: lr_too_low
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

N_FOLDS = 5
EPOCHS = 15
BATCH = 64
BASE_LR = 0.05
DECAY_RATE = 0.1      # lr multiplied by this every DECAY_EPOCHS
DECAY_EPOCHS = 10

X, y = load_breast_cancer(return_X_y=True)
X = X.astype(np.float32); y = y.astype(np.float32)
skf = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=0)


def exp_decay(step, decay_steps):
    return BASE_LR * DECAY_RATE ** (step / decay_steps)


scores = []
for fold, (tr, va) in enumerate(skf.split(X, y)):
    torch.manual_seed(fold)
    sc = StandardScaler().fit(X[tr])
    xtr = torch.from_numpy(sc.transform(X[tr]).astype(np.float32)); ytr = torch.from_numpy(y[tr])
    xva = torch.from_numpy(sc.transform(X[va]).astype(np.float32)); yva = torch.from_numpy(y[va])
    model = nn.Sequential(nn.Linear(30, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=BASE_LR, momentum=0.9)
    lossf = nn.BCEWithLogitsLoss()
    steps_per_epoch = int(np.ceil(len(tr) / BATCH))
    step = 0
    for ep in range(EPOCHS):
        perm = torch.randperm(len(tr))
        for i in range(0, len(tr), BATCH):
            idx = perm[i:i + BATCH]
            for g in opt.param_groups:
                g["lr"] = exp_decay(step, DECAY_EPOCHS)
            loss = lossf(model(xtr[idx]).squeeze(1), ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
            step += 1
    with torch.no_grad():
        vl = lossf(model(xva).squeeze(1), yva).item()
        acc = ((model(xva).squeeze(1) > 0).float() == yva).float().mean().item()
    scores.append(acc)
    print(f"fold {fold}: final lr {opt.param_groups[0]['lr']:.2e} train-last {loss.item():.4f} val_loss {vl:.4f} val_acc {acc:.4f}")
print(f"CV accuracy {np.mean(scores):.4f} +- {np.std(scores):.4f}")
