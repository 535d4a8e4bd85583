"""Regression on sklearn's diabetes data with a log-transformed target; the
network is trained on log(y) and predictions are mapped back with exp() for
evaluation in the original units.

Seeded bug (overfitting): the EarlyStopping callback is meant to watch the
validation loss but is fed `train_loss` (the variable names differ by one
word).  Training loss keeps decreasing, so the callback only fires once the
wide MLP has memorised the 309 training patients, and it then "restores" the
checkpoint with the lowest training loss.
Measured (this file vs. a copy that passes val_loss to the callback; full-batch
Adam): the buggy run trains 173 steps (it stops only when the training loss
flattens) and ends with train RMSE 2.0 / val RMSE 80.0 (original units; val
was 66.6 at step 50, 76.9 at step 100); the fixed copy stops at step 34 and
restores a checkpoint with train RMSE 51.3 / val RMSE 56.7.
"""
# traindebug-expect: overfitting
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(2)


class EarlyStopping:
    def __init__(self, patience=25, min_delta=1e-4):
        self.patience, self.min_delta = patience, min_delta
        self.best, self.bad, self.state = float("inf"), 0, None

    def __call__(self, metric, model):
        if metric < self.best - self.min_delta:
            self.best, self.bad = metric, 0
            self.state = copy.deepcopy(model.state_dict())
        else:
            self.bad += 1
        return self.bad >= self.patience

    def restore(self, model):
        if self.state is not None:
            model.load_state_dict(self.state)


def rmse_original_units(model, X, y_raw):
    with torch.no_grad():
        pred = torch.exp(model(X).squeeze(1))
    return torch.sqrt(((pred - y_raw) ** 2).mean()).item()


def main():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=4)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr_raw = torch.tensor(ytr, dtype=torch.float32)
    yva_raw = torch.tensor(yva, dtype=torch.float32)
    ytr_log, yva_log = torch.log(ytr_raw), torch.log(yva_raw)

    model = nn.Sequential(nn.Linear(10, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 1))
    with torch.no_grad():
        model[-1].bias.fill_(ytr_log.mean())
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    stopper = EarlyStopping(patience=25)
    loss_fn = nn.MSELoss()

    for step in range(1, 401):
        model.train()
        train_loss = loss_fn(model(Xtr).squeeze(1), ytr_log)
        opt.zero_grad()
        train_loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(Xva).squeeze(1), yva_log).item()
        if step % 50 == 0:
            print(f"step {step:3d} train rmse {rmse_original_units(model, Xtr, ytr_raw):6.1f} "
                  f"val rmse {rmse_original_units(model, Xva, yva_raw):6.1f}")
        if stopper(train_loss.item(), model):
            print(f"early stop at step {step}")
            break
    stopper.restore(model)
    print(f"final: train rmse {rmse_original_units(model, Xtr, ytr_raw):.1f} "
          f"val rmse {rmse_original_units(model, Xva, yva_raw):.1f}")


if __name__ == "__main__":
    main()
