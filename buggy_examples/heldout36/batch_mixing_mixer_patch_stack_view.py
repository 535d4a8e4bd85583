"""
MLP-Mixer built as one nn.Sequential for load_digits: a Patchify module cuts each 8x8 image
into sixteen 2x2 patches, linear embedding to 64, two token/channel-mixing residual blocks
(GELU, LayerNorm), average pool over tokens, linear head. SGD momentum 0.9 lr 0.05,
weight decay 5e-5, cosine schedule per step, DataLoader batch 40, 8 epochs (272 steps).

Seeded bug: Patchify builds a list of per-patch tensors of shape (B, 4) and calls
torch.stack(patches).view(B, T, -1). torch.stack defaults to dim=0, giving (T, B, 4), and the
view reinterprets that memory as (B, T, 4): the 16 "tokens" of sample i are patches taken
from 16 different images of the batch. Every output depends on other samples and the
labels become unpredictable. Fix: torch.stack(patches, dim=1).

Measured (seed 0, 1 thread): buggy: train loss 2.345 -> 2.303, test acc 0.096 (chance).
Fixed copy: train loss 0.025, test loss 0.106, test acc 0.964.
"""
# traindebug-expect: batch_mixing
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

PATCH = 2
EPOCHS = 8


class Patchify(nn.Module):
    def __init__(self, patch):
        super().__init__()
        self.p = patch

    def forward(self, img):                                   # (B, 1, H, W)
        B, _, H, W = img.shape
        p = self.p
        patches = [img[:, :, i:i + p, j:j + p].reshape(B, -1)
                   for i in range(0, H, p) for j in range(0, W, p)]
        return torch.stack(patches).view(B, len(patches), -1)  # (B, T, p*p)


class Transpose(nn.Module):
    def forward(self, x):
        return x.transpose(1, 2)


class Residual(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.fn = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.fn(x)


def mixer(n_tokens=16, dim=64, depth=2, token_hidden=32, channel_hidden=128, n_classes=10):
    blocks = []
    for _ in range(depth):
        blocks += [
            Residual(nn.LayerNorm(dim), Transpose(), nn.Linear(n_tokens, token_hidden), nn.GELU(),
                     nn.Linear(token_hidden, n_tokens), Transpose()),
            Residual(nn.LayerNorm(dim), nn.Linear(dim, channel_hidden), nn.GELU(), nn.Linear(channel_hidden, dim)),
        ]
    return nn.Sequential(
        Patchify(PATCH), nn.Linear(PATCH * PATCH, dim), *blocks, nn.LayerNorm(dim),
        Transpose(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(dim, n_classes),
    )


def run_epoch(model, loader, opt=None, sched=None):
    train = opt is not None
    model.train(train)
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            tot += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


def main():
    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / 16.0
    X = (X - X.mean()) / X.std()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    mk = lambda a, b: TensorDataset(torch.from_numpy(a).view(-1, 1, 8, 8), torch.from_numpy(b))
    train_loader = DataLoader(mk(X_tr, y_tr), batch_size=40, shuffle=True)
    test_loader = DataLoader(mk(X_te, y_te), batch_size=150)

    model = mixer()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-5)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * len(train_loader))
    for epoch in range(EPOCHS):
        tr_loss, tr_acc = run_epoch(model, train_loader, opt, sched)
        te_loss, te_acc = run_epoch(model, test_loader)
        print(f"epoch {epoch}  train loss {tr_loss:.4f} acc {tr_acc:.3f} | test loss {te_loss:.4f} acc {te_acc:.3f}")
    print(f"final test acc {te_acc:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
