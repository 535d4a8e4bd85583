"""Stagewise (gradient-boosting-like) ensemble of tiny tanh nets fitted to residuals
on make_friedman1 (standardized target).

Seeded bug (symmetric_init): WeakLearner.__init__ sets *every* parameter, including
fc1.weight and fc1.bias, to the same constant (0.05) so that a new stage "starts close
to a no-op".  All 32 hidden units of every stage are therefore identical, receive
identical gradients and stay identical, so each stage is effectively a single-unit
ridge function.  Only the output layer should have been given the small constant.

Measured (6 stages x 40 Adam steps): final validation MSE 0.232 with the bug vs
0.076 when fc1 keeps its default random init.
"""
# traindebug-expect: symmetric_init
import math
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(7)
np.random.seed(7)

N_STAGES = 6
STEPS_PER_STAGE = 40
SHRINKAGE = 0.5
HIDDEN = 32


class WeakLearner(nn.Module):
    """Tiny one-hidden-layer regressor used as a boosting stage."""

    def __init__(self, d_in, hidden=HIDDEN, init_value=0.05):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, 1)
        # keep each fresh stage close to a no-op so it does not undo the ensemble
        for p in self.parameters():
            nn.init.constant_(p, init_value)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x))).squeeze(-1)


class StagewiseEnsemble:
    def __init__(self, d_in, shrinkage=SHRINKAGE):
        self.d_in = d_in
        self.shrinkage = shrinkage
        self.stages = []
        self.base = 0.0

    @torch.no_grad()
    def predict(self, x):
        out = torch.full((x.shape[0],), self.base)
        for s in self.stages:
            out += self.shrinkage * s(x)
        return out

    def fit(self, x, y, x_val, y_val):
        self.base = float(y.mean())
        for k in range(N_STAGES):
            residual = y - self.predict(x)
            learner = WeakLearner(self.d_in)
            opt = torch.optim.Adam(learner.parameters(), lr=0.05)
            for step in range(STEPS_PER_STAGE):
                idx = torch.randint(0, x.shape[0], (128,))
                opt.zero_grad()
                loss = nn.functional.mse_loss(learner(x[idx]), residual[idx])
                loss.backward()
                opt.step()
            learner.eval()
            self.stages.append(learner)
            tr = nn.functional.mse_loss(self.predict(x), y).item()
            va = nn.functional.mse_loss(self.predict(x_val), y_val).item()
            print(f"stage {k + 1:2d}  fit-loss {loss.item():.4f}  train mse {tr:.4f}  val mse {va:.4f}")
        return self


def main():
    X, y = make_friedman1(n_samples=1200, n_features=10, noise=0.5, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
    Xtr, Xva = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
    ytr, yva = torch.tensor(ytr, dtype=torch.float32), torch.tensor(yva, dtype=torch.float32)
    model = StagewiseEnsemble(Xtr.shape[1]).fit(Xtr, ytr, Xva, yva)
    final = nn.functional.mse_loss(model.predict(Xva), yva).item()
    print(f"final validation mse (standardized target): {final:.4f}")


if __name__ == "__main__":
    main()
