"""Small hook-based "mini-framework" (Trainer base class) subclassed for a
diabetes-progression regression experiment (MLP, SGD + Nesterov momentum,
grad-norm clipping, input-noise augmentation).

Seeded bug (missing_zero_grad): the base Trainer clears gradients inside its
on_batch_start() hook. The experiment subclass overrides on_batch_start() to
add input noise and never calls super().on_batch_start(), so opt.zero_grad()
is never executed and .grad keeps summing over all 300 steps (there is no
deliberate accumulation). Measured over 25 epochs (300 steps): train MSE on
the standardized target wanders 0.93 -> 0.65 -> 1.63 and final val MSE is
1.32, versus a steady 0.99 -> 0.37 train / 0.57 val when super() is called.
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


# ---------------------------------------------------------------- framework
class Trainer:
    """Minimal training loop with overridable hooks."""

    def __init__(self, model, lr=1e-2, epochs=10, batch_size=32):
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.opt = self.configure_optimizer(lr)
        self.history = []

    # ---- hooks -----------------------------------------------------------
    def configure_optimizer(self, lr):
        return torch.optim.SGD(self.model.parameters(), lr=lr)

    def on_fit_start(self, data):
        pass

    def on_batch_start(self, batch):
        self.opt.zero_grad()
        return batch

    def compute_loss(self, batch):
        raise NotImplementedError

    def on_after_backward(self):
        pass

    def on_epoch_end(self, epoch, train_loss, data):
        pass

    # ---- loop ------------------------------------------------------------
    def fit(self, data):
        X, y = data["train"]
        self.on_fit_start(data)
        n = len(X)
        g = torch.Generator().manual_seed(0)
        for epoch in range(self.epochs):
            self.model.train()
            perm = torch.randperm(n, generator=g)
            total = 0.0
            for i in range(0, n, self.batch_size):
                idx = perm[i:i + self.batch_size]
                batch = self.on_batch_start((X[idx], y[idx]))
                loss = self.compute_loss(batch)
                loss.backward()
                self.on_after_backward()
                self.opt.step()
                total += loss.item() * len(idx)
            self.history.append(total / n)
            self.on_epoch_end(epoch, total / n, data)
        return self.history


# ---------------------------------------------------------------- experiment
class DiabetesRegression(Trainer):
    def __init__(self, model, noise_std=0.05, **kw):
        super().__init__(model, **kw)
        self.noise_std = noise_std
        self.loss_fn = nn.MSELoss()

    def configure_optimizer(self, lr):
        return torch.optim.SGD(self.model.parameters(), lr=lr, momentum=0.9, nesterov=True)

    def on_batch_start(self, batch):
        # input-noise augmentation on the standardized features
        x, y = batch
        return x + self.noise_std * torch.randn_like(x), y

    def compute_loss(self, batch):
        x, y = batch
        return self.loss_fn(self.model(x).squeeze(-1), y)

    def on_after_backward(self):
        nn.utils.clip_grad_norm_(self.model.parameters(), max_norm=5.0)

    def on_epoch_end(self, epoch, train_loss, data):
        Xv, yv = data["val"]
        self.model.eval()
        with torch.no_grad():
            val = self.loss_fn(self.model(Xv).squeeze(-1), yv).item()
        if epoch % 4 == 0 or epoch == self.epochs - 1:
            print(f"epoch {epoch:2d}  train mse {train_loss:.4f}  val mse {val:.4f}")


X, y = load_diabetes(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
mu, sd = Xtr.mean(0), Xtr.std(0)
ymu, ysd = ytr.mean(), ytr.std()
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
data = {
    "train": (to_t((Xtr - mu) / sd), to_t((ytr - ymu) / ysd)),
    "val": (to_t((Xva - mu) / sd), to_t((yva - ymu) / ysd)),
}

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
trainer = DiabetesRegression(model, lr=5e-3, epochs=25, batch_size=32)
hist = trainer.fit(data)
print(f"final train mse (standardized target): {hist[-1]:.4f}")
