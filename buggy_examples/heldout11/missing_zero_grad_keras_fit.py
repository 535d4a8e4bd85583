"""Keras-like `compile()` / `fit()` API written on an nn.Module subclass,
regression on the sklearn diabetes data.

Seeded bug: in `fit()` the `optimizer.zero_grad()` call sits at the top of
the epoch loop instead of inside the batch loop, so gradients from every
batch of the epoch pile up in .grad and each SGD step uses the running sum
(up to 12 batches' worth of gradient).

Measured (SGD lr 0.003, momentum 0.9, 360 steps): train MSE (standardised
target) oscillates 0.96 -> 1.78 -> 0.68 -> 3.70, final val MSE 1.05.
Fixed (zero_grad per batch): train MSE 1.01 -> 0.39 monotonically, final
val MSE 0.53.
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class History:
    def __init__(self):
        self.history = {}

    def log(self, **kw):
        for k, v in kw.items():
            self.history.setdefault(k, []).append(v)


class Sequential(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)
        self.optimizer = self.loss_fn = None

    def forward(self, x):
        return self.layers(x)

    def compile(self, optimizer="sgd", loss="mse", lr=0.01, momentum=0.9):
        opts = {"sgd": lambda: torch.optim.SGD(self.parameters(), lr=lr, momentum=momentum),
                "adam": lambda: torch.optim.Adam(self.parameters(), lr=lr)}
        self.optimizer = opts[optimizer]()
        self.loss_fn = {"mse": nn.MSELoss(), "mae": nn.L1Loss()}[loss]

    def evaluate(self, x, y, batch_size=256):
        self.eval()
        with torch.no_grad():
            preds = torch.cat([self(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
            return self.loss_fn(preds, y).item()

    def fit(self, x, y, epochs=1, batch_size=32, validation_data=None, shuffle=True, verbose=1, seed=0):
        history = History()
        gen = torch.Generator().manual_seed(seed)
        n = len(x)
        for epoch in range(epochs):
            self.train()
            order = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
            total, seen = 0.0, 0
            self.optimizer.zero_grad()
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                loss = self.loss_fn(self(x[idx]), y[idx])
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(idx)
                seen += len(idx)
            logs = {"loss": total / seen}
            if validation_data is not None:
                logs["val_loss"] = self.evaluate(*validation_data)
            history.log(**logs)
            if verbose and (epoch % 5 == 0 or epoch == epochs - 1):
                print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        return history


def main():
    torch.manual_seed(1)
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=1)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    f = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    t = lambda a: torch.tensor((a - y_mu) / y_sd, dtype=torch.float32).unsqueeze(-1)

    model = Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    model.compile(optimizer="sgd", loss="mse", lr=0.003, momentum=0.9)
    hist = model.fit(f(X_tr), t(y_tr), epochs=30, batch_size=32, validation_data=(f(X_va), t(y_va)))
    print(f"final train mse {hist.history['loss'][-1]:.4f} "
          f"best val mse {min(hist.history['val_loss']):.4f} final val mse {hist.history['val_loss'][-1]:.4f}")


if __name__ == "__main__":
    main()
