"""
Tabular MLP (30 -> 128 -> 64 -> 2, GELU, dropout 0.2) on scikit-learn's breast-cancer data
(standardised features, stratified 75/25 split), trained with a hand-written Lookahead wrapper
(k=5 fast steps, slow-weight interpolation alpha=0.5) around AdamW (lr 1e-3, weight decay 1e-2),
DataLoader with batch 16, 8 epochs (216 optimizer steps), configured via a dataclass and
driven by a small Trainer class.

Healthy control: Lookahead is a legitimate optimizer (Zhang et al. 2019); every k-th step
the fast weights are pulled back halfway towards the slow weights, which is intended.

Possible false alarm: parameters are overwritten outside optimizer.step() (in-place copy_
under no_grad) and jump backwards every 5 steps, so the parameter trajectory is non-monotone
and the per-step update-to-weight ratio periodically spikes; the effective step size is also
smaller than the nominal AdamW lr. A naive detector might call this oscillation / lr_too_high,
or think the weights are being reset.

Measured (seed 0, 1 thread): final train loss 0.056, test loss 0.105, test accuracy 0.958
(epoch 1: train loss 0.524, test acc 0.902). CPU time in the loop ~0.3 s.
"""
# traindebug-expect: clean
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Config:
    hidden: int = 128
    dropout: float = 0.2
    lr: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 16
    epochs: int = 8
    lookahead_k: int = 5
    lookahead_alpha: float = 0.5


class Lookahead:
    """Lookahead(inner): k fast steps with the inner optimizer, then slow += alpha * (fast - slow)
    and the fast weights restart from the slow weights."""

    def __init__(self, inner, k=5, alpha=0.5):
        self.inner = inner
        self.k = k
        self.alpha = alpha
        self.counter = 0
        self.slow = [[p.detach().clone() for p in g["params"]] for g in inner.param_groups]

    def zero_grad(self, set_to_none=True):
        self.inner.zero_grad(set_to_none=set_to_none)

    @torch.no_grad()
    def step(self):
        self.inner.step()
        self.counter += 1
        if self.counter % self.k == 0:
            for group, slow_group in zip(self.inner.param_groups, self.slow):
                for p, slow in zip(group["params"], slow_group):
                    slow.add_(p - slow, alpha=self.alpha)
                    p.copy_(slow)


class Trainer:
    def __init__(self, model, cfg):
        self.model = model
        self.cfg = cfg
        inner = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.opt = Lookahead(inner, k=cfg.lookahead_k, alpha=cfg.lookahead_alpha)
        self.step = 0

    def train_epoch(self, loader):
        self.model.train()
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.step += 1
            total += loss.item() * len(xb)
            n += len(xb)
        return total / n

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        logits = self.model(x)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    cfg = Config()
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(scaler.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=cfg.batch_size, shuffle=True)
    model = nn.Sequential(
        nn.Linear(30, cfg.hidden), nn.GELU(), nn.Dropout(cfg.dropout),
        nn.Linear(cfg.hidden, 64), nn.GELU(), nn.Dropout(cfg.dropout),
        nn.Linear(64, 2),
    )
    trainer = Trainer(model, cfg)
    t0 = time.process_time()
    for epoch in range(1, cfg.epochs + 1):
        train_loss = trainer.train_epoch(loader)
        if epoch % 2 == 0 or epoch == 1:
            test_loss, test_acc = trainer.evaluate(Xte, yte)
            print(f"epoch {epoch:2d} step {trainer.step:3d}  train loss {train_loss:.4f}  "
                  f"test loss {test_loss:.4f}  test acc {test_acc:.3f}")
    test_loss, test_acc = trainer.evaluate(Xte, yte)
    print(f"final: train loss {train_loss:.4f}  test loss {test_loss:.4f}  test acc {test_acc:.3f}  "
          f"({trainer.step} steps, {time.process_time() - t0:.1f}s cpu)")


if __name__ == "__main__":
    main()
