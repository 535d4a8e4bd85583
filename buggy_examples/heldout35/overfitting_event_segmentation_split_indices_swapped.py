"""
1-D semantic segmentation (per-time-step labelling) of generated sensor traces: each
trace of 48 steps contains 1-3 "events" (bursts with a characteristic oscillation) on a
noisy drifting baseline, and every time step is labelled event / no-event; 10% of the
annotated event boundaries are jittered (annotation noise). Conv1d FCN with 5 layers of
32 channels (kernel 5, dilations 1-2-4-8-1), BCEWithLogitsLoss per step, Adam lr 2e-3,
full-batch over the training traces, 200 epochs (200 steps), validation loss computed each
epoch under torch.no_grad(), per-step F1 reported.

Seeded bug: the split is written as
    n_val = int(0.9 * n)  ... train_idx, val_idx = idx[n_val:], idx[:n_val]
i.e. the intended 90/10 train/validation split is inverted, so the 21k-parameter FCN is
trained on just 30 of the 300 traces and validated on 270. It memorises the 30 traces (and their noisy
boundaries): training loss goes to ~0 while the validation loss bottoms out early and then
climbs steadily.

Measured (seed 0, 1 thread): buggy: train loss 0.712 -> 0.0013 (train F1 1.000), val loss
0.42 at best (epoch 53) then rising to 1.86 at epoch 200, val F1 0.666. Fixed copy (270
train / 30 val traces): train loss 0.717 -> 0.213, val loss best 0.364 (epoch 79), 0.479 at
epoch 200, val F1 0.720.
"""
# traindebug-expect: overfitting
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Config:
    n_traces: int = 300
    length: int = 48
    channels: int = 32
    epochs: int = 200
    lr: float = 2e-3
    val_fraction: float = 0.1


def make_traces(cfg, rng):
    t = np.arange(cfg.length)
    x = np.zeros((cfg.n_traces, 1, cfg.length), dtype=np.float32)
    y = np.zeros((cfg.n_traces, 1, cfg.length), dtype=np.float32)
    for i in range(cfg.n_traces):
        sig = 0.02 * np.cumsum(rng.standard_normal(cfg.length)) + 0.6 * rng.standard_normal(cfg.length)
        for _ in range(rng.integers(1, 4)):
            start = rng.integers(0, cfg.length - 12)
            width = rng.integers(6, 12)
            seg = slice(start, start + width)
            sig[seg] += 0.9 * np.sin(2 * np.pi * t[seg] / 4.0 + rng.random() * 6)
            jitter = rng.integers(-2, 3) if rng.random() < 0.1 else 0
            y[i, 0, max(start + jitter, 0):start + width + jitter] = 1.0
        x[i, 0] = sig
    return torch.from_numpy(x), torch.from_numpy(y)


class EventFCN(nn.Module):
    def __init__(self, channels):
        super().__init__()
        layers, cin = [], 1
        for d in (1, 2, 4, 8, 1):
            layers += [nn.Conv1d(cin, channels, 5, padding=2 * d, dilation=d), nn.ReLU()]
            cin = channels
        self.body = nn.Sequential(*layers)
        self.head = nn.Conv1d(channels, 1, 1)

    def forward(self, x):
        return self.head(self.body(x))


def f1(logits, y):
    pred = logits > 0
    tp = (pred & (y > 0.5)).sum().item()
    return 2 * tp / (pred.sum().item() + (y > 0.5).sum().item() + 1e-9)


def main(cfg=Config()):
    start = time.process_time()
    rng = np.random.default_rng(0)
    x, y = make_traces(cfg, rng)
    idx = torch.randperm(cfg.n_traces)
    n_val = int((1 - cfg.val_fraction) * cfg.n_traces)
    train_idx, val_idx = idx[n_val:], idx[:n_val]
    x_tr, y_tr, x_va, y_va = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    print(f"train traces {len(x_tr)}, validation traces {len(x_va)}")

    model = EventFCN(cfg.channels)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = nn.BCEWithLogitsLoss()
    best = (float("inf"), 0)
    for epoch in range(cfg.epochs):
        model.train()
        logits = model(x_tr)
        loss = loss_fn(logits, y_tr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val_logits = model(x_va)
            val_loss = loss_fn(val_logits, y_va).item()
        best = min(best, (val_loss, epoch))
        if epoch % 50 == 0 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch:3d}  train loss {loss.item():.4f} F1 {f1(logits, y_tr):.3f}  "
                  f"val loss {val_loss:.4f} F1 {f1(val_logits, y_va):.3f}")
    print(f"final train loss {loss.item():.4f}  val loss {val_loss:.4f}  val F1 {f1(val_logits, y_va):.3f}  "
          f"(best val loss {best[0]:.4f} at epoch {best[1]})")
    print(f"cpu time {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main()
