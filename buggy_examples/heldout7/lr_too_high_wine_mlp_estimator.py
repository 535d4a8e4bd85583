"""sklearn-style TorchMLPClassifier on the wine data set (standardised inputs).

Seeded bug: the estimator is instantiated with lr=0.5 for SGD with Nesterov momentum 0.9
(the value "grid-searched on a previous run" came from a different optimiser setup); steps
are far too large for this network.
Measured effect (320 optimizer steps): epoch-0 loss 0.51, then the loss jumps up and
oscillates around 1.10-1.13 (= ln 3, chance level) for the rest of training; final train acc
0.331, test acc 0.333. Same script with lr=0.01: final train loss 0.0066, test acc 1.000.
"""
# traindebug-expect: lr_too_high
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class TorchMLPClassifier:
    """Minimal sklearn-style wrapper around a PyTorch MLP."""

    def __init__(self, hidden=(64, 32), lr=1e-3, epochs=40, batch_size=16,
                 momentum=0.9, random_state=0):
        self.hidden = hidden
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.momentum = momentum
        self.random_state = random_state

    def _build(self, n_in, n_out):
        layers, d = [], n_in
        for h in self.hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, n_out))
        return nn.Sequential(*layers)

    def fit(self, X, y):
        torch.manual_seed(self.random_state)
        self.classes_ = np.unique(y)
        X = torch.as_tensor(X, dtype=torch.float32)
        y = torch.as_tensor(y, dtype=torch.long)
        self.model_ = self._build(X.shape[1], len(self.classes_))
        opt = torch.optim.SGD(self.model_.parameters(), lr=self.lr,
                              momentum=self.momentum, nesterov=True)
        loss_fn = nn.CrossEntropyLoss()
        g = torch.Generator().manual_seed(self.random_state)
        self.loss_curve_ = []
        for epoch in range(self.epochs):
            perm = torch.randperm(len(X), generator=g)
            running = 0.0
            for i in range(0, len(X), self.batch_size):
                idx = perm[i:i + self.batch_size]
                opt.zero_grad()
                loss = loss_fn(self.model_(X[idx]), y[idx])
                loss.backward()
                opt.step()
                running += loss.item() * len(idx)
            self.loss_curve_.append(running / len(X))
        return self

    @torch.no_grad()
    def predict_proba(self, X):
        self.model_.eval()
        X = torch.as_tensor(X, dtype=torch.float32)
        return torch.softmax(self.model_(X), dim=1).numpy()

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]

    def score(self, X, y):
        return float((self.predict(X) == y).mean())


if __name__ == "__main__":
    np.random.seed(0)
    X, y = load_wine(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

    # grid-searched on a previous run
    clf = TorchMLPClassifier(hidden=(64, 32), lr=0.5, epochs=40, batch_size=16)
    clf.fit(X_tr, y_tr)
    for e in range(0, clf.epochs, 5):
        print(f"epoch {e:3d}  loss {clf.loss_curve_[e]:.4f}")
    print(f"final train loss {clf.loss_curve_[-1]:.4f}")
    print(f"train acc {clf.score(X_tr, y_tr):.3f}  test acc {clf.score(X_te, y_te):.3f}")
