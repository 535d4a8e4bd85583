"""Row-wise GRU classifier on sklearn digits (8x8 images read as 8-step sequences),
dataclass config with a small optimizer factory.

Seeded bug (lr_too_high): Config.lr = 0.3 is a value from an SGD sweep that was kept when
the config was switched to optimizer="rmsprop". RMSprop normalises by the running RMS of the
gradient, so every parameter moves by ~lr per step; 0.3 is ~30x too large for this GRU.

Measured (12 epochs, 264 steps): epoch-mean train loss starts at 17.3 (far above ln(10)=2.30)
and oscillates 4.6-8.8 for the rest of the run (7.85, 8.79, 6.18, 6.52, 6.19, 5.08, 5.82, ...),
final train loss 4.60, test acc 0.451 (epoch 4 test acc drops back to 0.096).
Fixed copy (lr = 0.01, nothing else changed): train loss 1.79 -> 0.047, test acc 0.971.
"""
# traindebug-expect: lr_too_high
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class Config:
    hidden: int = 64
    batch_size: int = 64
    epochs: int = 12
    optimizer: str = "rmsprop"
    lr: float = 0.3
    optim_kwargs: dict = field(default_factory=lambda: {"sgd": {"momentum": 0.9, "nesterov": True},
                                                        "rmsprop": {"alpha": 0.9}})
    seed: int = 0


class RowGRU(nn.Module):
    """Reads an 8x8 digit one pixel-row at a time."""

    def __init__(self, hidden, n_classes=10):
        super().__init__()
        self.gru = nn.GRU(8, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def build_optimizer(cfg, params):
    cls = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}[cfg.optimizer]
    return cls(params, lr=cfg.lr, **cfg.optim_kwargs[cfg.optimizer])


def load_data(seed):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).reshape(-1, 8, 8).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    return (torch.from_numpy(Xtr), torch.from_numpy(ytr).long(),
            torch.from_numpy(Xte), torch.from_numpy(yte).long())


def main(cfg):
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    Xtr, ytr, Xte, yte = load_data(cfg.seed)
    model = RowGRU(cfg.hidden)
    opt = build_optimizer(cfg, model.parameters())
    crit = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(cfg.seed)
    step = 0
    for ep in range(cfg.epochs):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        tot, n = 0.0, 0
        for i in range(0, len(perm), cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = crit(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(idx)
            n += len(idx)
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {ep:2d} step {step:4d} train_loss {tot / n:.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(Config())
