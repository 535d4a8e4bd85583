"""sklearn-style ``fit/predict`` estimator wrapping a DeepSets classifier
(phi -> pool over set elements -> rho) with tanh units, on synthetic point clouds.

Seeded bug (saturated_units): the permutation-invariant pooling uses ``sum`` over
the 48 set elements instead of ``mean``.  The pooled features are ~48x larger than
phi's bounded outputs, so almost every pre-activation of rho's tanh layers sits
far beyond |3| and the units are stuck at +-1 with near-zero local gradient.

Measured (seed 0, 300 SGD steps): buggy -> 99.9% of rho's first tanh
pre-activations have |x| > 3 after training; epoch train loss 0.673 -> 0.633
(erratic, best 0.48), test log-loss 0.304, test accuracy 0.807.  Fixed (mean
pooling) -> 0% saturated, train loss 0.691 -> 0.071, test log-loss 0.064,
test accuracy 0.973.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score, log_loss

torch.set_num_threads(1)


def make_point_clouds(n_sets, set_size, rng):
    """Class 1: wide clouds, class 0: tight clouds (isotropic, random centre)."""
    y = rng.integers(0, 2, size=n_sets)
    sigma = np.where(y == 1, rng.uniform(1.1, 1.8, n_sets), rng.uniform(0.5, 0.9, n_sets))
    centre = rng.normal(scale=0.3, size=(n_sets, 1, 2))
    X = rng.normal(size=(n_sets, set_size, 2)) * sigma[:, None, None] + centre
    return X.astype(np.float32), y


class DeepSetsNet(nn.Module):
    def __init__(self, in_dim, width):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(in_dim, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh())
        self.rho = nn.Sequential(nn.Linear(width, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(),
                                 nn.Linear(width, 1))

    def forward(self, sets):
        pooled = self.phi(sets).sum(dim=1)
        return self.rho(pooled).squeeze(-1)


class DeepSetsClassifier(BaseEstimator, ClassifierMixin):
    def __init__(self, width=32, lr=0.05, momentum=0.9, batch_size=32, max_iter=12, random_state=0):
        self.width = width
        self.lr = lr
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y):
        torch.manual_seed(self.random_state)
        X = torch.as_tensor(X, dtype=torch.float32)
        y = torch.as_tensor(y, dtype=torch.float32)
        self.classes_ = np.array([0, 1])
        self.net_ = DeepSetsNet(X.shape[-1], self.width)
        opt = torch.optim.SGD(self.net_.parameters(), lr=self.lr, momentum=self.momentum)
        loss_fn = nn.BCEWithLogitsLoss()
        g = torch.Generator().manual_seed(self.random_state)
        self.loss_curve_ = []
        for epoch in range(self.max_iter):
            perm = torch.randperm(len(X), generator=g)
            epoch_loss = 0.0
            for i in range(0, len(X), self.batch_size):
                idx = perm[i:i + self.batch_size]
                loss = loss_fn(self.net_(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                epoch_loss += loss.item() * len(idx)
            self.loss_curve_.append(epoch_loss / len(X))
        return self

    @torch.no_grad()
    def predict_proba(self, X):
        p = torch.sigmoid(self.net_(torch.as_tensor(X, dtype=torch.float32))).numpy()
        return np.stack([1 - p, p], axis=1)

    def predict(self, X):
        return self.predict_proba(X).argmax(1)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X_train, y_train = make_point_clouds(800, 48, rng)
    X_test, y_test = make_point_clouds(400, 48, rng)
    clf = DeepSetsClassifier().fit(X_train, y_train)
    print("loss curve:", " ".join(f"{l:.3f}" for l in clf.loss_curve_))
    proba = clf.predict_proba(X_test)
    print(f"test log-loss {log_loss(y_test, proba):.4f}  test accuracy {accuracy_score(y_test, clf.predict(X_test)):.3f}")
