"""Lightning-like Trainer/LightningModule-style regression on sklearn diabetes
(standardised X and y), callbacks, SGD momentum 0.9, 25 epochs x 12 batches = 300 steps.

Seeded bug (missing_zero_grad): the trainer clears gradients only in its
`on_train_epoch_start` hook; inside the batch loop it calls backward() and step() without
zero_grad(), so .grad accumulates over all 12 batches of an epoch and each step uses the
running sum of gradients.

Measured (seed 0): train MSE 0.89 (epoch 1) -> 1.17 -> 4.22 -> 2.61 -> 1.77 -> 5.07 (epoch 25),
val MSE peaks at 26.4 and ends at 2.43.
Same script with optimizer.zero_grad() before each backward: train MSE 0.441, val MSE 0.551.
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class Callback:
    def on_fit_start(self, trainer): ...
    def on_epoch_end(self, trainer, logs): ...


class PrintLogger(Callback):
    def __init__(self, every=5):
        self.every = every

    def on_epoch_end(self, trainer, logs):
        if logs["epoch"] % self.every == 0 or logs["epoch"] == 1:
            print(f"epoch {logs['epoch']:3d}  train_mse {logs['train_mse']:.4f}  val_mse {logs['val_mse']:.4f}")


class RegressionModule(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 1))
        self.loss_fn = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch):
        x, y = batch
        return self.loss_fn(self(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.003, momentum=0.9)


class Trainer:
    def __init__(self, max_epochs=25, callbacks=()):
        self.max_epochs = max_epochs
        self.callbacks = list(callbacks)

    def _hook(self, name, *args):
        for cb in self.callbacks:
            getattr(cb, name)(self, *args)

    def on_train_epoch_start(self, module):
        module.train()
        self.optimizer.zero_grad()

    def fit(self, module, train_loader, val_data):
        self.optimizer = module.configure_optimizers()
        self._hook("on_fit_start")
        for epoch in range(1, self.max_epochs + 1):
            self.on_train_epoch_start(module)
            total, n = 0.0, 0
            for batch in train_loader:
                loss = module.training_step(batch)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(batch[1])
                n += len(batch[1])
            module.eval()
            with torch.no_grad():
                val_mse = module.loss_fn(module(val_data[0]), val_data[1]).item()
            self._hook("on_epoch_end", {"epoch": epoch, "train_mse": total / n, "val_mse": val_mse})


def main():
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
    xs, ys = StandardScaler().fit(X_tr), StandardScaler().fit(y_tr[:, None])
    f = lambda a: torch.tensor(xs.transform(a), dtype=torch.float32)
    g = lambda a: torch.tensor(ys.transform(a[:, None])[:, 0], dtype=torch.float32)
    train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(f(X_tr), g(y_tr)),
                                               batch_size=32, shuffle=True)
    module = RegressionModule(X.shape[1])
    Trainer(max_epochs=25, callbacks=[PrintLogger(every=5)]).fit(module, train_loader, (f(X_va), g(y_va)))


if __name__ == "__main__":
    main()
