"""
Seeded bug: the "robust statistics pooling" between the convolutional feature
extractor and the classifier head is computed with NumPy (np.percentile has
no torch counterpart the author knew of).  ``.numpy()`` refuses tensors that
require grad, so the author added ``.detach()``; the pooled features are then
re-wrapped with ``torch.from_numpy``.  The autograd graph is cut there: both
Conv1d blocks keep requires_grad=True but never receive a gradient, and only
the linear head is trained on top of random convolution features.

Measured (seed 0, 296 NAdam steps): with the bug the final epoch has train
loss 0.933 (acc 0.543) and test loss 0.908 (acc 0.565); computing the same
statistics with torch.quantile/amax (graph intact) gives train loss 0.221
(acc 0.922) and test loss 0.245 (acc 0.905).
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SIG_LEN = 128
CLASSES = ("chirp_up", "chirp_down", "tone")


class BurstDataset(Dataset):
    """Short bursts (rising chirp, falling chirp, steady tone) buried in noise."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.x = np.zeros((n, 1, SIG_LEN), dtype=np.float32)
        self.y = rng.integers(0, len(CLASSES), size=n)
        t = np.arange(48) / 48.0
        for i in range(n):
            f0 = rng.uniform(3.0, 5.0)
            if self.y[i] == 0:
                phase = 2 * np.pi * (f0 * t + 3.0 * t ** 2)
            elif self.y[i] == 1:
                phase = 2 * np.pi * ((f0 + 6.0) * t - 3.0 * t ** 2)
            else:
                phase = 2 * np.pi * (f0 + 3.0) * t
            burst = np.sin(phase + rng.uniform(0, 2 * np.pi)) * np.hanning(48)
            start = rng.integers(0, SIG_LEN - 48)
            self.x[i, 0] = rng.normal(0, 0.3, SIG_LEN)
            self.x[i, 0, start:start + 48] += burst

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.y[i])


def stats_pool(h, qs=(10, 50, 90)):
    """Per-channel percentiles + max over time -> (B, C * (len(qs) + 1))."""
    arr = h.detach().cpu().numpy()
    q = np.percentile(arr, qs, axis=-1)                     # (len(qs), B, C)
    q = np.transpose(q, (1, 2, 0)).reshape(arr.shape[0], -1)
    feats = np.concatenate([q, arr.max(axis=-1)], axis=1)
    return torch.from_numpy(feats.astype(np.float32)).to(h.device)


class BurstNet(nn.Module):
    def __init__(self, n_classes, width=16):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv1d(1, width, 9, padding=4), nn.BatchNorm1d(width), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv1d(width, width, 9, padding=4, dilation=1), nn.BatchNorm1d(width), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(width * 4, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        h = self.block2(self.block1(x))
        return self.head(stats_pool(h))


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for x, y in loader:
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return tot / n, correct / n


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    train_ds, test_ds = BurstDataset(2400, seed=1), BurstDataset(600, seed=2)
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
    test_dl = DataLoader(test_ds, batch_size=200)

    model = BurstNet(len(CLASSES))
    opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
    for epoch in range(8):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        te_loss, te_acc = run_epoch(model, test_dl)
        print(f"epoch {epoch}: train {tr_loss:.3f}/{tr_acc:.3f}  test {te_loss:.3f}/{te_acc:.3f}")


if __name__ == "__main__":
    main()
