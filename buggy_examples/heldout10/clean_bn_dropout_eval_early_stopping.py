"""Healthy control: MLP with BatchNorm1d and Dropout on the breast-cancer data,
AdamW + ReduceLROnPlateau, validated every epoch under torch.no_grad() with
model.eval(), early stopping with patience and restoration of the best
weights.

Patterns that may fool a naive detector: forward passes in eval mode every
epoch (no backward happens there; model.train() is called at the start of each
epoch), training stopping early, the learning rate being halved, and the final
weights being replaced by an earlier checkpoint.  BatchNorm in train mode
couples samples within a batch, which is legitimate.

Measured healthy numbers (early stop at epoch 18, 209 steps): train loss
0.44 -> 0.06, best val loss 0.068, restored model test loss 0.051, test acc
0.982.
"""
# traindebug-expect: clean
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
torch.set_num_threads(1)
np.random.seed(21)


class EarlyStopping:
    def __init__(self, patience=4, min_delta=1e-4):
        self.patience, self.min_delta = patience, min_delta
        self.best = float("inf")
        self.best_state = None
        self.bad_epochs = 0

    def step(self, val_loss, model):
        if val_loss < self.best - self.min_delta:
            self.best = val_loss
            self.best_state = copy.deepcopy(model.state_dict())
            self.bad_epochs = 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def make_model(d_in):
    return nn.Sequential(
        nn.Linear(d_in, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(32, 1),
    )


def evaluate(model, loader, loss_fn):
    model.eval()
    tot, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logit = model(xb).squeeze(1)
            tot += loss_fn(logit, yb).item() * len(yb)
            correct += ((logit > 0).float() == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


X, y = load_breast_cancer(return_X_y=True)
X_tmp, X_te, y_tmp, y_te = train_test_split(X, y, test_size=0.2, random_state=21, stratify=y)
X_tr, X_va, y_tr, y_va = train_test_split(X_tmp, y_tmp, test_size=0.2, random_state=21, stratify=y_tmp)
sc = StandardScaler().fit(X_tr)
mk = lambda a, b: TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32), torch.tensor(b, dtype=torch.float32))
train_dl = DataLoader(mk(X_tr, y_tr), batch_size=32, shuffle=True, drop_last=True)
val_dl = DataLoader(mk(X_va, y_va), batch_size=128)
test_dl = DataLoader(mk(X_te, y_te), batch_size=128)

model = make_model(X.shape[1])
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
stopper = EarlyStopping(patience=4)

steps = 0
for epoch in range(40):
    model.train()
    run = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        opt.step()
        run += loss.item()
        steps += 1
    val_loss, val_acc = evaluate(model, val_dl, loss_fn)
    sched.step(val_loss)
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  train {run / len(train_dl):.4f}  val {val_loss:.4f}  val acc {val_acc:.3f}  "
              f"lr {opt.param_groups[0]['lr']:.1e}")
    if stopper.step(val_loss, model):
        print(f"early stop at epoch {epoch} (best val loss {stopper.best:.4f})")
        break

model.load_state_dict(stopper.best_state)
test_loss, test_acc = evaluate(model, test_dl, loss_fn)
print(f"{steps} steps; restored best model: test loss {test_loss:.4f}  test acc {test_acc:.3f}")
