"""scikit-learn style estimator (fit / predict / predict_proba / score) around a torch MLP
with built-in early stopping, on a small noisy make_classification problem.

Seeded bug (overfitting): the "best" checkpoint is stored as self.module_.state_dict(),
which holds references to the live parameter tensors, not a copy. Restoring it at the
end is a no-op, so the returned model is the last one, trained n_iter_no_change=30
epochs past the best validation epoch while the wide MLP memorises the noise.
Measured (~306 steps): internal val loss 0.59 at epoch 0-3 rising to 1.53 at stop while
train loss goes to 0.0003; test log-loss 1.277 (test acc 0.774). Fixed copy
(deep-copied state_dict): test log-loss 0.512 (test acc 0.763).
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


class TorchMLPClassifier:
    """Tiny scikit-learn style estimator around a torch MLP, with early stopping."""

    def __init__(self, hidden=(256, 256), lr=2e-3, batch_size=32, max_epochs=60,
                 validation_fraction=0.2, n_iter_no_change=30, random_state=0, verbose=True):
        self.hidden = hidden
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("hidden", "lr", "batch_size", "max_epochs",
                                               "validation_fraction", "n_iter_no_change",
                                               "random_state", "verbose")}

    def _build(self, d_in, n_out):
        layers, d = [], d_in
        for h in self.hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, n_out))
        return nn.Sequential(*layers)

    def _val_loss(self, X, y):
        self.module_.eval()
        with torch.no_grad():
            out = nn.functional.cross_entropy(self.module_(X), y).item()
        self.module_.train()
        return out

    def fit(self, X, y):
        torch.manual_seed(self.random_state)
        self.classes_ = np.unique(y)
        Xtr, Xval, ytr, yval = train_test_split(
            X, y, test_size=self.validation_fraction, random_state=self.random_state, stratify=y)
        Xtr, Xval = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xval, dtype=torch.float32)
        ytr, yval = torch.tensor(ytr), torch.tensor(yval)
        self.module_ = self._build(X.shape[1], len(self.classes_))
        opt = torch.optim.Adam(self.module_.parameters(), lr=self.lr)
        best, best_state, since_best = float("inf"), None, 0
        self.history_ = []
        n = len(ytr)
        for epoch in range(self.max_epochs):
            perm = torch.randperm(n)
            tl = 0.0
            for i in range(0, n, self.batch_size):
                b = perm[i:i + self.batch_size]
                loss = nn.functional.cross_entropy(self.module_(Xtr[b]), ytr[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                tl += loss.item() * len(b)
            vl = self._val_loss(Xval, yval)
            self.history_.append((tl / n, vl))
            if self.verbose and epoch % 5 == 0:
                print(f"epoch {epoch:3d} train_loss {tl / n:.4f} val_loss {vl:.4f}")
            if vl < best - 1e-4:
                best, best_state, since_best = vl, self.module_.state_dict(), 0
                self.best_epoch_ = epoch
            else:
                since_best += 1
                if since_best >= self.n_iter_no_change:
                    break
        self.module_.load_state_dict(best_state)
        self.n_epochs_ = epoch + 1
        return self

    def predict_proba(self, X):
        self.module_.eval()
        with torch.no_grad():
            p = torch.softmax(self.module_(torch.tensor(X, dtype=torch.float32)), 1)
        return p.numpy()

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]

    def score(self, X, y):
        return accuracy_score(y, self.predict(X))


if __name__ == "__main__":
    X, y = make_classification(n_samples=700, n_features=40, n_informative=6, n_redundant=4,
                               flip_y=0.08, class_sep=1.0, random_state=4)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=1)
    sc = StandardScaler().fit(X_train)
    X_train, X_test = sc.transform(X_train), sc.transform(X_test)

    clf = TorchMLPClassifier().fit(X_train, y_train)
    print(f"stopped after {clf.n_epochs_} epochs, best val epoch {clf.best_epoch_}")
    print(f"train acc {clf.score(X_train, y_train):.3f}  test acc {clf.score(X_test, y_test):.3f}  "
          f"test log-loss {log_loss(y_test, clf.predict_proba(X_test)):.3f}")
