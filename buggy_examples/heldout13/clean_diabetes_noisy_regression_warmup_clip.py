"""Healthy control: small MLP regressor on sklearn's diabetes data behind an sklearn-style
fit/predict/score wrapper; SGD + Nesterov with a large peak lr (0.05) reached by linear warm-up,
cosine decay, Huber loss, gradient-norm clipping at 0.4.

Patterns a naive detector might flag: the loss stays high (diabetes targets are very noisy; a
linear model reaches test R^2 ~0.45, so a standardised Huber loss around 0.2-0.3 is the floor,
not a failure), and gradient clipping is active in the early steps only.
Measured: mean Huber loss 0.387 (steps 0-20) -> 0.213 (steps
140-240); fraction of steps clipped 0.75 / 0.35 / 0.07 / 0.05 over steps 0-20 / 20-60 / 60-140 /
140-240; train R^2 0.577, test R^2 0.435 (about what a linear model achieves on this data)..
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class TorchRegressor:
    """sklearn-flavoured wrapper: fit / predict / score."""

    def __init__(self, hidden=32, peak_lr=0.05, warmup=40, total_steps=240, clip=0.4,
                 batch_size=32, seed=0):
        self.hidden, self.peak_lr, self.warmup = hidden, peak_lr, warmup
        self.total_steps, self.clip, self.batch_size, self.seed = total_steps, clip, batch_size, seed

    def _lr_lambda(self, step):
        if step < self.warmup:
            return (step + 1) / self.warmup
        frac = (step - self.warmup) / max(1, self.total_steps - self.warmup)
        return 0.5 * (1 + np.cos(np.pi * frac))

    def fit(self, X, y):
        torch.manual_seed(self.seed)
        self.xs_, self.ys_ = StandardScaler().fit(X), StandardScaler().fit(y[:, None])
        Xt = torch.tensor(self.xs_.transform(X), dtype=torch.float32)
        yt = torch.tensor(self.ys_.transform(y[:, None]), dtype=torch.float32)
        self.net_ = nn.Sequential(nn.Linear(X.shape[1], self.hidden), nn.SiLU(),
                                  nn.Dropout(0.1), nn.Linear(self.hidden, 1))
        opt = torch.optim.SGD(self.net_.parameters(), lr=self.peak_lr, momentum=0.9, nesterov=True)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, self._lr_lambda)
        self.history_ = []
        step, n = 0, len(Xt)
        while step < self.total_steps:
            perm = torch.randperm(n)
            for i in range(0, n - self.batch_size + 1, self.batch_size):
                idx = perm[i:i + self.batch_size]
                loss = nn.functional.huber_loss(self.net_(Xt[idx]), yt[idx], delta=1.0)
                opt.zero_grad()
                loss.backward()
                gnorm = torch.nn.utils.clip_grad_norm_(self.net_.parameters(), self.clip)
                opt.step()
                sched.step()
                self.history_.append((loss.item(), gnorm.item()))
                step += 1
                if step >= self.total_steps:
                    break
        return self

    def predict(self, X):
        self.net_.eval()
        with torch.no_grad():
            out = self.net_(torch.tensor(self.xs_.transform(X), dtype=torch.float32)).numpy()
        return self.ys_.inverse_transform(out).ravel()

    def score(self, X, y):
        p = self.predict(X)
        return 1 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum()


if __name__ == "__main__":
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1)
    reg = TorchRegressor().fit(Xtr, ytr)
    h = np.array(reg.history_)
    for a, b in [(0, 20), (20, 60), (60, 140), (140, 240)]:
        print(f"steps {a:3d}-{b:3d}: huber {h[a:b, 0].mean():.4f}  grad-norm {h[a:b, 1].mean():.3f}  "
              f"clipped {np.mean(h[a:b, 1] > reg.clip):.2f}")
    print(f"train R2 {reg.score(Xtr, ytr):.3f}  test R2 {reg.score(Xte, yte):.3f}")
