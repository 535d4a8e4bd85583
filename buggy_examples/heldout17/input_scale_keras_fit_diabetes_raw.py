"""Keras-style Sequential wrapper (compile/fit/evaluate with validation_split) on
sklearn's diabetes data in raw clinical units (load_diabetes(scaled=False)).

Seeded bug (input_scale): the target is standardised with training statistics,
but the ten input features are fed in raw units (age ~50, sex 1/2, BMI ~26,
serum s1 ~190, s2 ~115, ...): feature means range from 1.5 to ~190 with very
unequal spreads, so the first layer sees huge offsets and the fit is slow/erratic.
Measured (30 epochs, 240 Adam steps): buggy train MSE 0.67, val 0.80,
test MSE 0.75 (R^2 0.25); fixed (standardise X with train mean/std) train MSE
0.34, val 0.42, test MSE 0.55 (R^2 0.45).
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)


class Sequential(nn.Module):
    """Tiny Keras-flavoured wrapper: compile() / fit() / evaluate()."""

    def __init__(self, *layers):
        super().__init__()
        self.net = nn.Sequential(*layers)
        self.history = {"loss": [], "val_loss": []}

    def forward(self, x):
        return self.net(x)

    def compile(self, optimizer="adam", lr=1e-3, loss="mse"):
        self.loss_fn = {"mse": nn.MSELoss(), "mae": nn.L1Loss()}[loss]
        opt_cls = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}[optimizer]
        self.optimizer = opt_cls(self.parameters(), lr=lr)

    def fit(self, x, y, epochs=1, batch_size=32, validation_split=0.0, verbose=1):
        x = torch.as_tensor(x, dtype=torch.float32)
        y = torch.as_tensor(y, dtype=torch.float32).reshape(len(x), -1)
        n_val = int(len(x) * validation_split)
        x_tr, y_tr = x[: len(x) - n_val], y[: len(x) - n_val]
        x_va, y_va = x[len(x) - n_val:], y[len(x) - n_val:]
        for ep in range(epochs):
            self.train()
            perm = torch.randperm(len(x_tr))
            running = 0.0
            for i in range(0, len(x_tr), batch_size):
                idx = perm[i:i + batch_size]
                loss = self.loss_fn(self(x_tr[idx]), y_tr[idx])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                running += loss.item() * len(idx)
            self.history["loss"].append(running / len(x_tr))
            if n_val:
                self.history["val_loss"].append(self.evaluate(x_va, y_va))
            if verbose and (ep % 5 == 4 or ep == epochs - 1):
                print(f"Epoch {ep + 1}/{epochs} - loss: {self.history['loss'][-1]:.4f}"
                      + (f" - val_loss: {self.history['val_loss'][-1]:.4f}" if n_val else ""))
        return self.history

    @torch.no_grad()
    def evaluate(self, x, y):
        self.eval()
        x = torch.as_tensor(x, dtype=torch.float32)
        y = torch.as_tensor(y, dtype=torch.float32).reshape(len(x), -1)
        return self.loss_fn(self(x), y).item()


# raw clinical units: age in years, sex 1/2, BMI, mean BP, six serum measurements
X, y = load_diabetes(return_X_y=True, scaled=False)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# standardise the target with training statistics so MSE is in "std units"
y_mu, y_sd = y_train.mean(), y_train.std()
y_train_s = (y_train - y_mu) / y_sd
y_test_s = (y_test - y_mu) / y_sd

model = Sequential(
    nn.Linear(X.shape[1], 64), nn.ReLU(),
    nn.Linear(64, 32), nn.ReLU(),
    nn.Linear(32, 1),
)
model.compile(optimizer="adam", lr=1e-3, loss="mse")
model.fit(X_train, y_train_s, epochs=30, batch_size=32, validation_split=0.15)

test_mse = model.evaluate(X_test, y_test_s)
print(f"test MSE (std units): {test_mse:.4f}   R^2 ~ {1 - test_mse:.3f}")
