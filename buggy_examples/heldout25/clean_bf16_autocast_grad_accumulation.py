"""Healthy control: MLP on sklearn digits trained with bf16 autocast on CPU and
gradient accumulation over 4 micro-batches of 16 (effective batch 64), AdamW +
OneCycleLR, grad clipping, 220 optimizer steps.

Patterns that might fool a naive detector: zero_grad() is called only once every
4 backward passes, so .grad is non-zero before most backward calls and grows
within an accumulation window (this is deliberate accumulation, with the loss
divided by accum_steps, not missing_zero_grad); the forward runs in bfloat16; the
loss is small because it is divided by 4; one leftover micro-batch per epoch is
back-propagated and then thrown away by the zero_grad at the start of the next
epoch.

Measured: train loss 2.29 -> 0.095, test loss 2.25 -> 0.150, test acc 0.956.
"""
# traindebug-expect: clean
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


@dataclass
class TrainConfig:
    micro_batch: int = 16
    accum_steps: int = 4          # effective batch = 64
    epochs: int = 10
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(64, 128), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.GELU(),
        )
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.body(x))


def evaluate(model, loader):
    model.eval()
    n, correct, loss = 0, 0, 0.0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in loader:
            out = model(xb)
            loss += F.cross_entropy(out.float(), yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss / n, correct / n


def main(cfg: TrainConfig):
    torch.manual_seed(cfg.seed)
    X, y = load_digits(return_X_y=True)
    X = (X / 8.0 - 1.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=cfg.micro_batch, shuffle=True, drop_last=True)
    test_dl = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=256)

    model = DigitNet()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = len(train_dl) // cfg.accum_steps
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, epochs=cfg.epochs,
                                                steps_per_epoch=steps_per_epoch)

    t0 = time.time()
    opt_steps = 0
    for epoch in range(cfg.epochs):
        model.train()
        opt.zero_grad(set_to_none=True)
        running, seen = 0.0, 0
        for i, (xb, yb) in enumerate(train_dl):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(xb)
            loss = F.cross_entropy(logits.float(), yb) / cfg.accum_steps
            loss.backward()
            running += loss.item() * cfg.accum_steps
            seen += 1
            if (i + 1) % cfg.accum_steps == 0:
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                opt_steps += 1
        te_loss, te_acc = evaluate(model, test_dl)
        if epoch % 2 == 0 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch} opt steps {opt_steps} train loss {running / seen:.4f} "
                  f"test loss {te_loss:.4f} acc {te_acc:.3f}")
    print(f"{time.time() - t0:.1f}s")


if __name__ == "__main__":
    main(TrainConfig())
