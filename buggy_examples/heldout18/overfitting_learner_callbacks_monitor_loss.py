"""A small fastai/Keras-flavoured Learner with a list of callbacks (recorder, early
stopping with best-weights restore, LR logging) training an MLP on a small, noisily
labelled subset of sklearn's digits.

Seeded bug (overfitting): the early-stopping callback is created with
``monitor="loss"`` (Keras habit), which in this Learner's log is the *training*
loss; the validation loss is logged as ``"val_loss"``.  Training loss keeps falling
so early stopping never fires and "best" weights are just the last ones: the model
memorises the 240 noisy training samples while held-out loss climbs steadily.

Measured (seed 0, 40 epochs x 10 steps): buggy -> train loss 2.17 -> 0.014,
val loss bottoms at 0.583 (epoch 9) and climbs to 0.782 at the end, val accuracy
0.903 (epoch 5) -> 0.812; the returned model is the last one (val loss 0.782,
acc 0.812).  Fixed (``monitor="val_loss"``) -> stops after epoch 13 and restores
the epoch-9 weights: val loss 0.583, val accuracy 0.862.
"""
# traindebug-expect: overfitting
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


class Callback:
    order = 0

    def set_learner(self, learn):
        self.learn = learn

    def before_fit(self): pass
    def after_batch(self): pass
    def after_epoch(self): pass
    def after_fit(self): pass


class CancelFit(Exception):
    pass


class Recorder(Callback):
    order = -10

    def before_fit(self):
        self.learn.log = []

    def after_epoch(self):
        self.learn.log.append(dict(self.learn.epoch_metrics))


class EarlyStopping(Callback):
    order = 10

    def __init__(self, monitor="val_loss", patience=5, restore_best=True):
        self.monitor, self.patience, self.restore_best = monitor, patience, restore_best

    def before_fit(self):
        self.best, self.best_state, self.wait = float("inf"), None, 0

    def after_epoch(self):
        value = self.learn.epoch_metrics[self.monitor]
        if value < self.best:
            self.best, self.wait = value, 0
            self.best_state = copy.deepcopy(self.learn.model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                raise CancelFit()

    def after_fit(self):
        if self.restore_best and self.best_state is not None:
            self.learn.model.load_state_dict(self.best_state)


class PrintProgress(Callback):
    order = 20

    def after_epoch(self):
        m = self.learn.epoch_metrics
        if m["epoch"] % 5 == 0:
            print(f"epoch {m['epoch']:3d}  loss {m['loss']:.4f}  val_loss {m['val_loss']:.4f}  "
                  f"val_acc {m['val_acc']:.3f}")


class Learner:
    def __init__(self, model, train_data, valid_data, loss_func, opt_func, lr, cbs=(), bs=24):
        self.model, self.loss_func, self.lr, self.bs = model, loss_func, lr, bs
        self.train_data, self.valid_data = train_data, valid_data
        self.opt = opt_func(model.parameters(), lr=lr)
        self.cbs = sorted(cbs, key=lambda c: c.order)
        for cb in self.cbs:
            cb.set_learner(self)

    def _run(self, event):
        for cb in self.cbs:
            getattr(cb, event)()

    def _train_epoch(self, gen):
        self.model.train()
        x, y = self.train_data
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), self.bs):
            idx = perm[i:i + self.bs]
            loss = self.loss_func(self.model(x[idx]), y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(idx)
            self._run("after_batch")
        return total / len(x)

    def _validate(self):
        self.model.eval()
        x, y = self.valid_data
        with torch.no_grad():
            out = self.model(x)
            return self.loss_func(out, y).item(), (out.argmax(1) == y).float().mean().item()

    def fit(self, n_epochs, seed=0):
        gen = torch.Generator().manual_seed(seed)
        self._run("before_fit")
        try:
            for epoch in range(n_epochs):
                loss = self._train_epoch(gen)
                val_loss, val_acc = self._validate()
                self.epoch_metrics = dict(epoch=epoch, loss=loss, val_loss=val_loss, val_acc=val_acc)
                self._run("after_epoch")
        except CancelFit:
            print(f"early stop after epoch {epoch}")
        finally:
            self._run("after_fit")


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, train_size=240, test_size=600, random_state=0, stratify=y)
    noisy = rng.random(len(y_tr)) < 0.25
    y_tr = y_tr.copy()
    y_tr[noisy] = rng.integers(0, 10, size=noisy.sum())
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    to_t = lambda a, dt: torch.as_tensor(a, dtype=dt)
    train = (to_t(X_tr, torch.float32), to_t(y_tr, torch.long))
    valid = (to_t(X_te, torch.float32), to_t(y_te, torch.long))

    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    cbs = [Recorder(), EarlyStopping(monitor="loss", patience=4), PrintProgress()]
    learn = Learner(model, train, valid, F.cross_entropy, torch.optim.Adam, lr=1e-3, cbs=cbs)
    learn.fit(40)
    val_loss, val_acc = learn._validate()
    best_val = min(r["val_loss"] for r in learn.log)
    print(f"final model: val_loss {val_loss:.4f} val_acc {val_acc:.3f}  (lowest val_loss seen {best_val:.4f}, "
          f"epochs run {len(learn.log)})")


if __name__ == "__main__":
    main()
