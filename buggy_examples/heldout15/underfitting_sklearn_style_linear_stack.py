"""sklearn-style estimator (TorchMLPClassifier with fit/predict/score) trained on
two-moons.

Seeded bug (underfitting): the `_build` loop stacks the hidden nn.Linear layers
but never appends a non-linearity between them, so the 64-64 "MLP" collapses to
a single affine map and cannot represent the curved moon boundary, however long
it trains.  Updates are healthy (Adam, lr 1e-2); the loss simply plateaus.

Measured: training loss plateaus at ~0.26 from epoch 5 on (train acc 0.883,
test acc 0.875).  Fixed copy (nn.ReLU() after each hidden Linear): training loss
0.004, train acc 0.998, test acc 1.000.
"""
# traindebug-expect: underfitting
import numpy as np
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class TorchMLPClassifier:
    """Minimal sklearn-style wrapper around a small torch MLP."""

    def __init__(self, hidden=(64, 64), lr=1e-2, epochs=40, batch_size=64, seed=0):
        self.hidden = hidden
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed

    def _build(self, n_in, n_out):
        layers, prev = [], n_in
        for h in self.hidden:
            layers.append(nn.Linear(prev, h))
            prev = h
        layers.append(nn.Linear(prev, n_out))
        return nn.Sequential(*layers)

    def fit(self, X, y):
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.classes_ = np.unique(y)
        X = torch.as_tensor(X, dtype=torch.float32)
        y = torch.as_tensor(np.searchsorted(self.classes_, y), dtype=torch.long)
        self.model_ = self._build(X.shape[1], len(self.classes_))
        opt = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        crit = nn.CrossEntropyLoss()
        self.loss_curve_ = []
        for _ in range(self.epochs):
            perm = torch.as_tensor(rng.permutation(len(X)))
            running = 0.0
            for s in range(0, len(X), self.batch_size):
                b = perm[s:s + self.batch_size]
                opt.zero_grad()
                loss = crit(self.model_(X[b]), y[b])
                loss.backward()
                opt.step()
                running += loss.item() * len(b)
            self.loss_curve_.append(running / len(X))
        return self

    def predict_proba(self, X):
        with torch.no_grad():
            logits = self.model_(torch.as_tensor(X, dtype=torch.float32))
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]

    def score(self, X, y):
        return float((self.predict(X) == y).mean())


if __name__ == "__main__":
    torch.set_num_threads(1)
    X, y = make_moons(n_samples=800, noise=0.12, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

    clf = TorchMLPClassifier(hidden=(64, 64), lr=1e-2, epochs=20, batch_size=64)
    clf.fit(X_tr, y_tr)
    for ep in range(0, clf.epochs, 5):
        print(f"epoch {ep:2d}  loss {clf.loss_curve_[ep]:.4f}")
    print(f"final train loss {clf.loss_curve_[-1]:.4f}")
    print(f"train acc {clf.score(X_tr, y_tr):.3f}  test acc {clf.score(X_te, y_te):.3f}")
