"""Healthy control. GRU regressor on synthetic two-channel sequences; argparse
config, AdamW, OneCycleLR, grad clipping.

Pattern that might fool a naive detector: deliberate gradient accumulation.
Each optimizer update uses 3 micro-batches of 32: the loss is divided by
accum_steps, backward() runs per micro-batch, and zero_grad() is only called
after opt.step(), so .grad is non-zero before backward on 2 of every 3
backward passes. This is intended (effective batch 96), not a missing
zero_grad. Also, the loss stays near the mean-predictor level for the first
~2 epochs while OneCycle warms up before it drops.

Measured (128 optimizer updates, 384 micro-batches): train MSE 0.290 -> 0.033,
val MSE 0.257 -> 0.032 (variance of the validation targets 0.261, so ~88% of
the variance is explained).
"""
# traindebug-expect: clean
import argparse
import math

import numpy as np
import torch
import torch.nn as nn


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--micro-batch", type=int, default=32)
    p.add_argument("--accum-steps", type=int, default=3)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=6e-3)
    p.add_argument("--hidden", type=int, default=48)
    p.add_argument("--seed", type=int, default=17)
    return p.parse_args()


def make_data(n, T, rng):
    """Two-channel sequences; target = running-window statistic of channel 0
    gated by the sign of channel 1 at the final step (needs memory)."""
    x = rng.standard_normal((n, T, 2)).astype(np.float32)
    x[:, :, 1] = np.sign(x[:, :, 1]) * 0.5
    w = np.linspace(0.2, 1.0, T, dtype=np.float32)
    y = (x[:, :, 0] * w).sum(1) / w.sum() * 3.0
    y = np.where(x[:, -1, 1] > 0, y, -0.5 * y)
    return torch.tensor(x), torch.tensor(y[:, None].astype(np.float32))


class GRURegressor(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


def main():
    a = parse()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(a.seed)
    X, Y = make_data(1536, 24, rng)
    Xv, Yv = make_data(512, 24, rng)

    model = GRURegressor(a.hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-2)
    eff_batch = a.micro_batch * a.accum_steps
    updates_per_epoch = math.ceil(len(X) / eff_batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, epochs=a.epochs,
                                                steps_per_epoch=updates_per_epoch)
    loss_fn = nn.MSELoss()
    print(f"validation variance (MSE of mean predictor): {Yv.var().item():.4f}")

    updates = 0
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(len(X))
        micro = list(torch.split(perm, a.micro_batch))
        opt.zero_grad(set_to_none=True)
        running = 0.0
        for i, idx in enumerate(micro):
            loss = loss_fn(model(X[idx]), Y[idx])
            (loss / a.accum_steps).backward()
            running += loss.item()
            last = i == len(micro) - 1
            if (i + 1) % a.accum_steps == 0 or last:
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                updates += 1
        model.eval()
        with torch.no_grad():
            vmse = loss_fn(model(Xv), Yv).item()
        print(f"epoch {ep + 1}  train_mse {running / len(micro):.4f}  val_mse {vmse:.4f}  "
              f"lr {sched.get_last_lr()[0]:.2e}")
    print(f"optimizer updates {updates}")


if __name__ == "__main__":
    main()
