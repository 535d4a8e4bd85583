"""Self-training (pseudo-labelling) on the sklearn digits with 100 labelled images.

Four rounds.  In every round a *fresh* student MLP (64-256-128-10, ReLU, dropout 0.1) is
built and trained with AdamW (lr 2e-3, wd 1e-2, batch 64, 70 steps) on the labelled set
plus the unlabelled images whose pseudo-label (from the previous round's model) has
confidence >= 0.9.  Pseudo-labelled examples are weighted 0.5 in the loss.  280 optimizer
steps in total.

Healthy control: a standard self-training loop; the student is re-initialised each round
on purpose (to avoid confirmation bias from continuing the teacher's weights).

Possible false alarm: the training loss jumps back up to ~2.3 at the start of every
round and the parameters are replaced by new random tensors (a loss spike / "reset"
pattern), and a new optimizer is created per round; the train set also grows between
rounds, so the per-round loss curves are not comparable.

Measured (seed 0): test accuracy after round 0 (labelled only) 0.883, final 0.894;
each round's loss goes from ~2.3 down to 0.03-0.15; 776 pseudo-labels used in the last
round with accuracy 0.982.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
lab = rng.choice(len(X_tr), size=100, replace=False)
unl = np.setdiff1d(np.arange(len(X_tr)), lab)

X_lab = torch.tensor(X_tr[lab], dtype=torch.float32)
y_lab = torch.tensor(y_tr[lab])
X_unl = torch.tensor(X_tr[unl], dtype=torch.float32)
y_unl_true = torch.tensor(y_tr[unl])          # only used to report pseudo-label quality
X_te = torch.tensor(X_te, dtype=torch.float32)
y_te = torch.tensor(y_te)

ROUNDS, STEPS, THRESH, PSEUDO_W = 4, 70, 0.9, 0.5


def new_student():
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.1),
                         nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def train_round(model, X, y, w):
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    model.train()
    for s in range(STEPS):
        idx = torch.randint(0, len(X), (64,))
        per_ex = F.cross_entropy(model(X[idx]), y[idx], reduction="none")
        loss = (per_ex * w[idx]).sum() / w[idx].sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if s in (0, STEPS - 1):
            print(f"   step {s:2d} loss {loss.item():.4f}")
    return model


@torch.no_grad()
def accuracy(model, X, y):
    model.eval()
    return (model(X).argmax(1) == y).float().mean().item()


teacher = None
for rnd in range(ROUNDS):
    X_round, y_round, w_round = X_lab, y_lab, torch.ones(len(y_lab))
    if teacher is not None:
        teacher.eval()
        with torch.no_grad():
            probs = F.softmax(teacher(X_unl), dim=1)
        conf, pseudo = probs.max(1)
        keep = conf >= THRESH
        pl_acc = (pseudo[keep] == y_unl_true[keep]).float().mean().item()
        print(f"round {rnd}: {int(keep.sum())} pseudo-labels, accuracy {pl_acc:.3f}")
        X_round = torch.cat([X_lab, X_unl[keep]])
        y_round = torch.cat([y_lab, pseudo[keep]])
        w_round = torch.cat([w_round, torch.full((int(keep.sum()),), PSEUDO_W)])
    torch.manual_seed(100 + rnd)
    teacher = train_round(new_student(), X_round, y_round, w_round)
    acc = accuracy(teacher, X_te, y_te)
    print(f"round {rnd}: train size {len(y_round)}  test acc {acc:.3f}")

print(f"final test accuracy: {acc:.3f}")
