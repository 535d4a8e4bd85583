"""Conditional regressor with FiLM layers (per-condition scale gamma and shift beta
from embeddings) for six operating regimes; class-based Trainer with AdamW, StepLR
and an early-stopping callback.

Seeded bug (loss_output_mismatch): the model returns predictions of shape (B, 1)
while the targets have shape (B,); nn.MSELoss broadcasts them to a (B, B) matrix
(only a UserWarning), so each prediction is regressed onto every target in the batch
and the optimum is the batch mean.  The model collapses to a near-constant output.

Measured: train loss plateaus at 0.7885 = target variance (0.7886), val MSE 0.858;
early stopping fires after 10 epochs (250 steps).  With pred.squeeze(-1) the same
run reaches train loss 0.10 and val MSE 0.138 after 15 epochs.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)

N_COND, D_IN = 6, 5


def generate(n):
    """Per-condition response surfaces sharing one input space (e.g. one sensor model
    calibrated under six operating regimes)."""
    x = rng.uniform(-1, 1, size=(n, D_IN)).astype(np.float32)
    c = rng.integers(0, N_COND, size=n)
    w = np.linspace(-1.5, 1.5, N_COND)
    y = (np.sin(3 * x[:, 0] * (1 + 0.3 * c)) + w[c] * x[:, 1] ** 2
         + 0.5 * np.tanh(2 * x[:, 2]) * (c % 2 * 2 - 1) + 0.05 * rng.standard_normal(n))
    return torch.from_numpy(x), torch.from_numpy(c), torch.tensor(y, dtype=torch.float32)


class FiLM(nn.Module):
    def __init__(self, n_cond, width):
        super().__init__()
        self.gamma = nn.Embedding(n_cond, width)
        self.beta = nn.Embedding(n_cond, width)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, h, c):
        return self.gamma(c) * h + self.beta(c)


class ConditionalRegressor(nn.Module):
    def __init__(self, width=48):
        super().__init__()
        self.l1, self.f1 = nn.Linear(D_IN, width), FiLM(N_COND, width)
        self.l2, self.f2 = nn.Linear(width, width), FiLM(N_COND, width)
        self.out = nn.Linear(width, 1)

    def forward(self, x, c):
        h = torch.relu(self.f1(self.l1(x), c))
        h = torch.relu(self.f2(self.l2(h), c))
        return self.out(h)


class EarlyStopping:
    def __init__(self, patience=5):
        self.best, self.bad, self.patience = float("inf"), 0, patience

    def __call__(self, val):
        if val < self.best - 1e-4:
            self.best, self.bad = val, 0
        else:
            self.bad += 1
        return self.bad >= self.patience


class Trainer:
    def __init__(self, model, lr=5e-3, callbacks=()):
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, step_size=8, gamma=0.5)
        self.loss_fn = nn.MSELoss()
        self.callbacks = list(callbacks)

    def run_epoch(self, loader):
        self.model.train()
        total = 0.0
        for x, c, y in loader:
            pred = self.model(x, c)
            loss = self.loss_fn(pred, y)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(y)
        self.sched.step()
        return total / len(loader.dataset)

    @torch.no_grad()
    def evaluate(self, x, c, y):
        self.model.eval()
        return torch.mean((self.model(x, c).view(-1) - y) ** 2).item()

    def fit(self, loader, val, epochs):
        for ep in range(epochs):
            tr = self.run_epoch(loader)
            va = self.evaluate(*val)
            print(f"epoch {ep + 1:2d}  train loss {tr:.4f}  val mse {va:.4f}")
            if any(cb(va) for cb in self.callbacks):
                print("early stop")
                break


x, c, y = generate(2400)
xv, cv, yv = generate(600)
print(f"target variance {y.var():.4f}")
loader = DataLoader(TensorDataset(x, c, y), batch_size=96, shuffle=True)
Trainer(ConditionalRegressor(), callbacks=[EarlyStopping()]).fit(loader, (xv, cv, yv), epochs=15)
