"""Deep Sets classifier on generated variable-size sets of 2-D points
(blob / ring / two blobs / line), padded DataLoader with masked mean+max pooling.

Seeded bug (dead_units): DeepSets.__init__ initialises every phi-layer bias to
Config.phi_bias_init = -0.3 (a negative "sparsity" offset). With Xavier weights
the pre-activations of the deeper phi layers are almost all below zero: on a
256-set batch at init 20% of layer-1, 80% of layer-2 and 100% of layer-3 ReLU
units never fire, and they never come back, so the pooled set representation
is all zeros.

Measured (seed 7, 8 epochs x 38 Adam steps): buggy train/test loss stays at
1.386/1.387 (= ln 4) and test accuracy 0.242 (chance); with phi_bias_init = 0.0
the same script reaches train loss 0.435 and test accuracy 0.816.
"""
# traindebug-expect: dead_units
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


@dataclass
class Config:
    n_train: int = 2400
    n_test: int = 800
    min_size: int = 6
    max_size: int = 16
    hidden: int = 64
    batch_size: int = 64
    epochs: int = 8
    lr: float = 3e-3
    phi_bias_init: float = -0.3
    seed: int = 7


class PointSetDataset(Dataset):
    """Sets of 2-D points; label = generating family (blob / ring / two blobs / line)."""

    def __init__(self, n, cfg, seed):
        rng = np.random.RandomState(seed)
        self.sets, self.labels = [], []
        for _ in range(n):
            k = rng.randint(cfg.min_size, cfg.max_size + 1)
            y = rng.randint(4)
            c = rng.randn(2) * 0.5
            if y == 0:
                pts = c + 0.6 * rng.randn(k, 2)
            elif y == 1:
                a = rng.uniform(0, 2 * np.pi, k)
                pts = c + np.stack([np.cos(a), np.sin(a)], 1) + 0.08 * rng.randn(k, 2)
            elif y == 2:
                side = rng.choice([-1.0, 1.0], k)[:, None]
                pts = c + side * np.array([0.9, 0.3]) + 0.25 * rng.randn(k, 2)
            else:
                t = rng.uniform(-1.2, 1.2, k)[:, None]
                d = rng.randn(2); d /= np.linalg.norm(d)
                pts = c + t * d + 0.05 * rng.randn(k, 2)
            self.sets.append(pts.astype(np.float32))
            self.labels.append(y)

    def __len__(self):
        return len(self.sets)

    def __getitem__(self, i):
        return torch.from_numpy(self.sets[i]), self.labels[i]


def pad_collate(batch):
    sizes = [len(s) for s, _ in batch]
    x = torch.zeros(len(batch), max(sizes), 2)
    mask = torch.zeros(len(batch), max(sizes))
    for i, (s, _) in enumerate(batch):
        x[i, :len(s)] = s
        mask[i, :len(s)] = 1.0
    return x, mask, torch.tensor([y for _, y in batch])


class DeepSets(nn.Module):
    def __init__(self, cfg, n_classes=4):
        super().__init__()
        h = cfg.hidden
        self.phi = nn.Sequential(nn.Linear(2, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.rho = nn.Sequential(nn.Linear(2 * h, h), nn.ReLU(), nn.Linear(h, n_classes))
        for m in self.phi:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.constant_(m.bias, cfg.phi_bias_init)

    def forward(self, x, mask):
        h = self.phi(x) * mask.unsqueeze(-1)
        n = mask.sum(1, keepdim=True)
        pooled = torch.cat([h.sum(1) / n, h.max(1).values], dim=1)
        return self.rho(pooled)


def run_epoch(model, loader, opt=None):
    training = opt is not None
    model.train(training)
    tot_loss, correct, count = 0.0, 0, 0
    with torch.set_grad_enabled(training):
        for x, mask, y in loader:
            logits = model(x, mask)
            loss = F.cross_entropy(logits, y)
            if training:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            count += len(y)
    return tot_loss / count, correct / count


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    train_ds = PointSetDataset(cfg.n_train, cfg, cfg.seed)
    test_ds = PointSetDataset(cfg.n_test, cfg, cfg.seed + 1)
    train_dl = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=True, collate_fn=pad_collate)
    test_dl = DataLoader(test_ds, batch_size=256, collate_fn=pad_collate)

    model = DeepSets(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for epoch in range(cfg.epochs):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        te_loss, te_acc = run_epoch(model, test_dl)
        print(f"epoch {epoch}  train loss {tr_loss:.3f} acc {tr_acc:.3f} | test loss {te_loss:.3f} acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
