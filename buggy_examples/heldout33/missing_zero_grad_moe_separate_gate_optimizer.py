"""
Soft mixture-of-experts regressor on a synthetic piecewise 2-D function (four quadrants, each
with its own smooth law, plus noise). Four small tanh-MLP experts (2 -> 32 -> 1) and a gating
network (2 -> 16 -> 4, softmax) whose weights mix the expert outputs; MSE loss. A small
Trainer class with epoch-end callbacks; the experts use AdamW (lr 1e-2) and the gate gets its
own SGD+momentum optimizer (lr 0.1) as is common for routers. 2000 training points, batch
100, 20 epochs (400 steps); reports train and held-out MSE.

Seeded bug: the gate optimizer was added later to give the router its own learning rate,
and the training step was only half updated: it still calls self.opt.zero_grad() for the
experts but never zeroes the gate optimizer. The gate's .grad buffers keep summing the
gradients of every previous batch, so its effective step grows every iteration (momentum on
top of a running sum); the router logits blow up, the gate saturates into hard, badly placed
assignments and the loss stalls well above the fixed run.

Measured (seed 0, 1 thread): buggy final train MSE 0.159, test MSE 0.149, two of the four
experts never used (usage [0, 0, 0.37, 0.63]); fixed copy (also calling
self.gate_opt.zero_grad()): train MSE 0.067, test MSE 0.063, all experts used.
"""
# traindebug-expect: missing_zero_grad
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def make_data(n, rng):
    x = rng.uniform(-2, 2, size=(n, 2))
    a, b = x[:, 0], x[:, 1]
    y = np.select(
        [(a >= 0) & (b >= 0), (a < 0) & (b >= 0), (a < 0) & (b < 0)],
        [np.sin(2 * a) + b, 0.5 * a * b - 1.0, np.cos(3 * b) + 0.3 * a],
        default=1.5 - 0.5 * a ** 2,
    )
    y = y + 0.05 * rng.normal(size=n)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]


class MixtureOfExperts(nn.Module):
    def __init__(self, n_in=2, n_experts=4, hidden=32):
        super().__init__()
        self.experts = nn.ModuleList([
            nn.Sequential(nn.Linear(n_in, hidden), nn.Tanh(), nn.Linear(hidden, 1))
            for _ in range(n_experts)
        ])
        self.gate = nn.Sequential(nn.Linear(n_in, 16), nn.Tanh(), nn.Linear(16, n_experts))

    def forward(self, x):
        weights = F.softmax(self.gate(x), dim=-1)
        outs = torch.cat([e(x) for e in self.experts], dim=-1)
        return (weights * outs).sum(-1, keepdim=True), weights


@dataclass
class Config:
    expert_lr: float = 1e-2
    gate_lr: float = 0.1
    batch_size: int = 100
    epochs: int = 20


class Trainer:
    def __init__(self, model, cfg, callbacks=()):
        self.model, self.cfg, self.callbacks = model, cfg, list(callbacks)
        self.opt = torch.optim.AdamW(model.experts.parameters(), lr=cfg.expert_lr, weight_decay=1e-4)
        self.gate_opt = torch.optim.SGD(model.gate.parameters(), lr=cfg.gate_lr, momentum=0.9)
        self.history = []

    def train_step(self, xb, yb):
        pred, _ = self.model(xb)
        loss = F.mse_loss(pred, yb)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.gate_opt.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, x, y):
        pred, _ = self.model(x)
        return F.mse_loss(pred, y).item()

    def fit(self, x, y, x_val, y_val):
        n = x.shape[0]
        for epoch in range(self.cfg.epochs):
            perm = torch.randperm(n)
            losses = []
            for i in range(0, n, self.cfg.batch_size):
                idx = perm[i:i + self.cfg.batch_size]
                losses.append(self.train_step(x[idx], y[idx]))
            logs = {"epoch": epoch + 1, "train_mse": float(np.mean(losses)),
                    "val_mse": self.evaluate(x_val, y_val)}
            self.history.append(logs)
            for cb in self.callbacks:
                cb(self, logs)


def print_every(k):
    def cb(trainer, logs):
        if logs["epoch"] % k == 0:
            with torch.no_grad():
                _, w = trainer.model(x_val)
                usage = w.mean(0).numpy().round(2)
            print(f"epoch {logs['epoch']:2d}  train mse {logs['train_mse']:.4f}  "
                  f"val mse {logs['val_mse']:.4f}  expert usage {usage}")
    return cb


rng = np.random.default_rng(0)
x_train, y_train = make_data(2000, rng)
x_val, y_val = make_data(1000, rng)

trainer = Trainer(MixtureOfExperts(), Config(), callbacks=[print_every(4)])
trainer.fit(x_train, y_train, x_val, y_val)
final = trainer.history[-1]
print(f"final: train mse {trainer.evaluate(x_train, y_train):.4f}  test mse {final['val_mse']:.4f}")
