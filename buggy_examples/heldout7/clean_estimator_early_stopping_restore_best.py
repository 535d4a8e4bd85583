"""Healthy control: sklearn-style TorchMLPClassifier (BaseEstimator/ClassifierMixin,
inside a Pipeline with StandardScaler) on breast-cancer data. fit() holds out a
stratified validation split, early-stops with patience 8 and restores the best
state_dict.

Pattern that could fool a naive detector: a 256-256 MLP that keeps driving the
training loss down while the validation loss rises for 8 epochs after its minimum.
That looks like overfitting in the logged metrics, but the returned model is the
restored best epoch.

Measured (16 epochs, 160 steps): train loss 0.171 -> 0.005; val_loss best 0.057 at
epoch 8, 0.102 at stop; restored model's test accuracy 0.953.
"""
# traindebug-expect: clean
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


class TorchMLPClassifier(BaseEstimator, ClassifierMixin):
    def __init__(self, hidden=(256, 256), lr=1e-3, batch_size=32, max_epochs=60,
                 validation_fraction=0.2, patience=8, random_state=0, verbose=True):
        self.hidden = hidden
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose

    def _build(self, d_in, n_out):
        layers, d = [], d_in
        for h in self.hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, n_out))
        return nn.Sequential(*layers)

    def fit(self, X, y):
        torch.manual_seed(self.random_state)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        X_tr, X_va, y_tr, y_va = train_test_split(
            X, y_idx, test_size=self.validation_fraction, stratify=y_idx,
            random_state=self.random_state)
        X_tr, X_va = (torch.as_tensor(a, dtype=torch.float32) for a in (X_tr, X_va))
        y_tr, y_va = (torch.as_tensor(a, dtype=torch.long) for a in (y_tr, y_va))

        self.model_ = self._build(X.shape[1], len(self.classes_))
        opt = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        loss_fn = nn.CrossEntropyLoss()
        g = torch.Generator().manual_seed(self.random_state)

        best_loss, best_state, bad_epochs = np.inf, None, 0
        self.history_ = []
        for epoch in range(self.max_epochs):
            self.model_.train()
            perm = torch.randperm(len(X_tr), generator=g)
            for i in range(0, len(X_tr), self.batch_size):
                idx = perm[i:i + self.batch_size]
                opt.zero_grad()
                loss = loss_fn(self.model_(X_tr[idx]), y_tr[idx])
                loss.backward()
                opt.step()
            self.model_.eval()
            with torch.no_grad():
                tr_loss = loss_fn(self.model_(X_tr), y_tr).item()
                va_out = self.model_(X_va)
                va_loss = loss_fn(va_out, y_va).item()
                va_acc = (va_out.argmax(1) == y_va).float().mean().item()
            self.history_.append((tr_loss, va_loss, va_acc))
            if self.verbose:
                print(f"epoch {epoch+1:3d} train_loss={tr_loss:.4f} val_loss={va_loss:.4f} val_acc={va_acc:.3f}")
            if va_loss < best_loss - 1e-4:
                best_loss, bad_epochs = va_loss, 0
                best_state = copy.deepcopy(self.model_.state_dict())
                self.best_epoch_ = epoch + 1
            else:
                bad_epochs += 1
                if bad_epochs >= self.patience:
                    if self.verbose:
                        print(f"early stopping at epoch {epoch+1}; restoring epoch {self.best_epoch_}")
                    break
        self.model_.load_state_dict(best_state)
        return self

    def predict_proba(self, X):
        self.model_.eval()
        with torch.no_grad():
            return torch.softmax(self.model_(torch.as_tensor(X, dtype=torch.float32)), 1).numpy()

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]


X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=1)
clf = make_pipeline(StandardScaler(), TorchMLPClassifier())
clf.fit(X_train, y_train)
est = clf[-1]
print(f"best epoch {est.best_epoch_}, val_loss there {est.history_[est.best_epoch_-1][1]:.4f}, "
      f"val_loss at stop {est.history_[-1][1]:.4f}")
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
