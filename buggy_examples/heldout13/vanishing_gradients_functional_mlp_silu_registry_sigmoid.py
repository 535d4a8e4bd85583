"""Functional-style deep MLP (explicit weight tensors, F.linear) on sklearn digits.

Seeded bug: the activation registry maps "silu" to torch.sigmoid instead of
F.silu (x * sigmoid(x)).  The config asks for "silu", so all 9 hidden layers
actually use a plain sigmoid: each layer scales the back-propagated signal by
sigmoid' <= 0.25 (times a LeCun-scaled weight), and the first layers receive
gradients ~5 orders of magnitude smaller than the output layer.  The network
never leaves chance level.

Measured (14 epochs, 308 SGD+momentum steps):
  buggy : |grad W_first| ~5e-6..8e-6 vs |grad W_last| ~0.8..2.3 (ratio ~1e-5..1e-6);
          loss stays 2.32..2.36 (ln 10 = 2.30), test acc 0.098
  fixed (F.silu): first/last grad norms same order (1e-2..4 both);
          loss 0.147, test acc 0.909
"""
# traindebug-expect: vanishing_gradients
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


ACTIVATIONS = {
    "relu": F.relu,
    "gelu": F.gelu,
    "tanh": torch.tanh,
    "silu": torch.sigmoid,
}


@dataclass
class Config:
    hidden: list = field(default_factory=lambda: [128, 128, 96, 96, 96, 64, 64, 64, 64])
    activation: str = "silu"
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 64
    epochs: int = 14
    seed: int = 0


def init_params(sizes, gen):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_out, fan_in, generator=gen) * math.sqrt(1.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [W.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x, act):
    n_layers = len(params) // 2
    h = x
    for i in range(n_layers):
        W, b = params[2 * i], params[2 * i + 1]
        h = F.linear(h, W, b)
        if i < n_layers - 1:
            h = act(h)
    return h


def accuracy(params, x, y, act):
    with torch.no_grad():
        return (forward(params, x, act).argmax(1) == y).float().mean().item()


def main(cfg: Config):
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(scaler.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr)
    yte = torch.tensor(yte)

    act = ACTIVATIONS[cfg.activation]
    sizes = [Xtr.shape[1]] + cfg.hidden + [10]
    params = init_params(sizes, gen)
    opt = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)

    n = len(Xtr)
    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            logits = forward(params, Xtr[idx], act)
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            step += 1
        if epoch % 2 == 1 or epoch == cfg.epochs - 1:
            g_first = params[0].grad.norm().item()
            g_last = params[-2].grad.norm().item()
            print(f"epoch {epoch + 1:2d} step {step:3d}  loss {tot / n:.4f}  "
                  f"test acc {accuracy(params, Xte, yte, act):.3f}  "
                  f"|g| first {g_first:.1e} last {g_last:.1e}")


if __name__ == "__main__":
    main(Config())
