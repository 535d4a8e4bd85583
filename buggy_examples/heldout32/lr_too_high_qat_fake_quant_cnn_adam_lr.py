"""
Quantization-aware training of a small CNN on the 8x8 digits: two 3x3 convs (8/16 channels)
+ max-pool + two linear layers, weights fake-quantized to 4 bits (last layer 8 bits) with a
straight-through estimator (w + (q(w) - w).detach()). Adam, batch 32, 7 epochs (301 steps),
dataclass config overridable from argparse.

Seeded bug: the config's learning rate is 5e-2, a value that belongs to an SGD recipe, but the
optimizer is Adam, whose per-parameter normalisation makes every weight move by ~lr per step.
For weights of size ~0.1 quantized onto a 16-level grid this is far too large: the loss spikes
(batch loss 3.4 in epoch 0), the train loss climbs back up mid-run (0.37 -> 0.52) and the test
accuracy oscillates instead of converging. Adam's usual 1e-3 trains smoothly.

Measured (seed 0, 1 thread): buggy lr 5e-2: train loss by epoch 1.72/0.65/0.41/0.37/0.46/0.52/0.44,
final test loss 0.451, test acc 0.867. Fixed copy (lr 1e-3): final train loss 0.158, test loss
0.199, test acc 0.949.
"""
# traindebug-expect: lr_too_high
import argparse
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Config:
    bits: int = 4
    batch_size: int = 32
    epochs: int = 7
    lr: float = 5e-2
    weight_decay: float = 0.0


def fake_quant(w, bits):
    qmax = 2 ** (bits - 1) - 1
    scale = w.detach().abs().max() / qmax
    q = torch.clamp(torch.round(w / scale), -qmax - 1, qmax) * scale
    return w + (q - w).detach()


class QConv2d(nn.Conv2d):
    def __init__(self, *args, bits=4, **kwargs):
        super().__init__(*args, **kwargs)
        self.bits = bits

    def forward(self, x):
        return F.conv2d(x, fake_quant(self.weight, self.bits), self.bias, self.stride, self.padding)


class QLinear(nn.Linear):
    def __init__(self, *args, bits=4, **kwargs):
        super().__init__(*args, **kwargs)
        self.bits = bits

    def forward(self, x):
        return F.linear(x, fake_quant(self.weight, self.bits), self.bias)


class QuantNet(nn.Module):
    def __init__(self, bits):
        super().__init__()
        self.conv1 = QConv2d(1, 8, 3, padding=1, bits=bits)
        self.conv2 = QConv2d(8, 16, 3, padding=1, bits=bits)
        self.fc1 = QLinear(16 * 4 * 4, 64, bits=bits)
        self.fc2 = QLinear(64, 10, bits=8)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bits", type=int, default=Config.bits)
    p.add_argument("--epochs", type=int, default=Config.epochs)
    p.add_argument("--lr", type=float, default=Config.lr)
    cfg = Config(**vars(p.parse_args()))

    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    X_tr, X_te = torch.tensor(X_tr), torch.tensor(X_te)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = QuantNet(cfg.bits)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    n = len(X_tr)
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        losses = []
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            test_loss = F.cross_entropy(logits, y_te).item()
            acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} step {step:4d} train_loss {np.mean(losses):.4f} "
              f"(max {np.max(losses):.2f}) test_loss {test_loss:.4f} test_acc {acc:.3f}")
    print(f"final: {cfg.bits}-bit QAT test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
