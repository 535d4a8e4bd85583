"""DeepAR-style probabilistic forecaster (GRU + Gaussian likelihood) on generated demand series.

One-step-ahead GRU over 60-step windows of level + weekly seasonality + heteroscedastic noise,
DeepAR mean scaling, Gaussian head (mu, softplus sigma), NLL loss.  Small Trainer class with
callbacks, Adam lr 3e-3 with a LinearLR decay to 1% "over the training run", batch 32,
12 epochs x 16 batches = 192 steps.

Seeded bug: LinearLR is configured with total_iters=epochs (12) but scheduler.step() is
called inside training_step, i.e. once per batch.  After 12 optimizer steps (less than one
epoch) the learning rate has already decayed to 3e-5 and stays there for the remaining
180 steps, so the model barely moves.  Stepping an epoch-based schedule per batch is a very
common mistake when moving scheduler.step() into a train-step helper.

Measured (seed 0, 192 steps, CPU time ~6.9 s): buggy final train NLL 2.064, val NLL 2.036;
fixed copy (scheduler stepped once per epoch): train NLL 0.231, val NLL 0.262.
"""
# traindebug-expect: lr_too_low
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = dict(context=60, hidden=32, batch_size=32, epochs=12, lr=3e-3, final_lr_factor=0.01)


def generate_series(n, length, rng):
    t = np.arange(length)
    level = rng.uniform(1.0, 3.0, (n, 1))
    weekly = rng.uniform(0.3, 1.0, (n, 1)) * np.sin(2 * np.pi * t / 7 + rng.uniform(0, 6.28, (n, 1)))
    noise = rng.uniform(0.05, 0.3, (n, 1)) * rng.standard_normal((n, length))
    return (level + weekly + noise).astype(np.float32)


class DeepAR(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.GRU(2, hidden, batch_first=True)
        self.mu = nn.Linear(hidden, 1)
        self.sigma = nn.Linear(hidden, 1)

    def forward(self, y_prev, scale):
        t = torch.arange(y_prev.size(1), dtype=torch.float32)
        dow = torch.sin(2 * math.pi * t / 7).expand(y_prev.size(0), -1)
        inp = torch.stack([y_prev / scale, dow], -1)
        h, _ = self.rnn(inp)
        mu = self.mu(h).squeeze(-1) * scale
        sigma = (F.softplus(self.sigma(h).squeeze(-1)) + 1e-3) * scale
        return mu, sigma


def gaussian_nll(y, mu, sigma):
    return (torch.log(sigma) + 0.5 * ((y - mu) / sigma) ** 2 + 0.5 * math.log(2 * math.pi)).mean()


class PrintCallback:
    def on_epoch_end(self, trainer, epoch, train_loss, val_loss):
        lr = trainer.opt.param_groups[0]["lr"]
        print(f"epoch {epoch:2d}  step {trainer.global_step:4d}  train nll {train_loss:.4f}  "
              f"val nll {val_loss:.4f}  lr {lr:.2e}")


class Trainer:
    def __init__(self, model, cfg, callbacks=()):
        self.model, self.cfg, self.callbacks = model, cfg, list(callbacks)
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
        self.sched = torch.optim.lr_scheduler.LinearLR(
            self.opt, start_factor=1.0, end_factor=cfg["final_lr_factor"], total_iters=cfg["epochs"])
        self.global_step = 0

    def loss_on(self, batch):
        y_prev, y = batch[:, :-1], batch[:, 1:]
        scale = batch[:, :self.cfg["context"]].mean(1, keepdim=True) + 1.0
        mu, sigma = self.model(y_prev, scale)
        return gaussian_nll(y, mu, sigma)

    def training_step(self, batch):
        loss = self.loss_on(batch)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.sched.step()
        self.global_step += 1
        return loss.item()

    def fit(self, train, val):
        bs = self.cfg["batch_size"]
        for epoch in range(self.cfg["epochs"]):
            self.model.train()
            perm = torch.randperm(train.size(0))
            losses = [self.training_step(train[perm[i:i + bs]]) for i in range(0, train.size(0) - bs + 1, bs)]
            self.model.eval()
            with torch.no_grad():
                val_loss = self.loss_on(val).item()
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, float(np.mean(losses)), val_loss)
        return val_loss


def main():
    t0 = time.process_time()
    rng = np.random.default_rng(0)
    train = torch.from_numpy(generate_series(512, CONFIG["context"] + 1, rng))
    val = torch.from_numpy(generate_series(160, CONFIG["context"] + 1, rng))
    trainer = Trainer(DeepAR(CONFIG["hidden"]), CONFIG, callbacks=[PrintCallback()])
    final = trainer.fit(train, val)
    print(f"final val gaussian nll {final:.4f}")
    print(f"cpu time {time.process_time() - t0:.1f}s")


if __name__ == "__main__":
    main()
