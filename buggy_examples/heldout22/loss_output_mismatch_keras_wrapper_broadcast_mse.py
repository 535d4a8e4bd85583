"""Keras-like compile()/fit()/evaluate() wrapper around an nn.Sequential MLP, used
for regression on sklearn's diabetes data (standardised features and target),
Adam lr 1e-3, 30 epochs x 11 batches = 330 steps.

Seeded bug: fit() passes the raw model output of shape (B, 1) together with the
target of shape (B,) to nn.MSELoss. The loss broadcasts them to a (B, B) matrix,
so every prediction is regressed onto every target in the batch and the optimum is
the batch mean -- the network learns (almost) a constant. (PyTorch prints a
UserWarning about the size mismatch, which is easy to miss in a log.) Measured:
train loss stays at ~1.00 (= target variance) for all 30 epochs, test R^2 0.019,
test RMSE 71.6. Fixed copy (squeeze(-1) before the loss): train loss 0.92 -> 0.385,
test R^2 0.452, test RMSE 53.5.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(21)
np.random.seed(21)


class History(dict):
    def log(self, **kw):
        for k, v in kw.items():
            self.setdefault(k, []).append(v)


class Sequential:
    """Tiny Keras-flavoured wrapper: compile() / fit() / evaluate() / predict()."""

    def __init__(self, *layers):
        self.net = nn.Sequential(*layers)

    def __call__(self, x):
        return self.net(x)

    def parameters(self):
        return self.net.parameters()

    def train(self):
        self.net.train()

    def eval(self):
        self.net.eval()

    def compile(self, optimizer="adam", loss=None, lr=1e-3, metrics=()):
        opts = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad}
        self.optimizer = opts[optimizer](self.parameters(), lr=lr)
        self.loss = loss
        self.metrics = dict(metrics)
        return self

    def fit(self, x, y, epochs=1, batch_size=32, validation_data=None, verbose=1):
        x = torch.as_tensor(x, dtype=torch.float32)
        y = torch.as_tensor(y, dtype=torch.float32)
        hist = History()
        for epoch in range(epochs):
            self.train()
            perm = torch.randperm(len(x))
            running = 0.0
            for i in range(0, len(x), batch_size):
                idx = perm[i:i + batch_size]
                self.optimizer.zero_grad()
                loss = self.loss(self(x[idx]), y[idx])
                loss.backward()
                self.optimizer.step()
                running += loss.item() * len(idx)
            logs = {"loss": running / len(x)}
            if validation_data is not None:
                logs.update({"val_" + k: v for k, v in self.evaluate(*validation_data).items()})
            hist.log(**logs)
            if verbose and (epoch % 10 == 0 or epoch == epochs - 1):
                print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        return hist

    @torch.no_grad()
    def predict(self, x):
        self.eval()
        return self(torch.as_tensor(x, dtype=torch.float32)).squeeze(-1).numpy()

    def evaluate(self, x, y):
        pred = self.predict(x)
        return {name: fn(np.asarray(y), pred) for name, fn in self.metrics.items()}


def r2(y, p):
    return 1.0 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum()


def mse(y, p):
    return float(((y - p) ** 2).mean())


if __name__ == "__main__":
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1)
    xs = StandardScaler().fit(Xtr)
    y_mu, y_sd = ytr.mean(), ytr.std()
    Xtr, Xte = xs.transform(Xtr), xs.transform(Xte)
    ytr_n, yte_n = (ytr - y_mu) / y_sd, (yte - y_mu) / y_sd

    model = Sequential(
        nn.Linear(10, 32), nn.ReLU(),
        nn.Linear(32, 16), nn.ReLU(),
        nn.Linear(16, 1),
    )
    model.compile(optimizer="adam", loss=nn.MSELoss(), lr=1e-3, metrics=[("mse", mse), ("r2", r2)])
    hist = model.fit(Xtr, ytr_n, epochs=30, batch_size=32, validation_data=(Xte, yte_n))
    print(f"test R^2 {hist['val_r2'][-1]:.3f}  test RMSE (original units) "
          f"{np.sqrt(hist['val_mse'][-1]) * y_sd:.1f}")
