"""1-D CNN that classifies synthetic waveforms (sine / square / sawtooth /
chirp) from noisy windows; argparse config, SGD with momentum, custom He init.

Seeded bug (bad_init_scale): he_init() computes fan_in as the kernel width
only (w.shape[-1]) instead of in_channels * kernel_width, so every conv layer
is initialised with a standard deviation sqrt(in_channels) (~4-6x) too large.
Through four conv layers the activations grow by roughly two orders of
magnitude and the initial logits are in the tens, so the first loss is ~65
instead of about ln 4 = 1.39 and SGD spends the run recovering from the
blown-up scale.
Measured (seed 0, 280 steps): buggy  initial loss 65.5, final train loss 0.62, test acc 0.731;
                              fixed  initial loss 1.52, final train loss 0.03, test acc 1.000.
"""
# traindebug-expect: bad_init_scale
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="waveform CNN")
    p.add_argument("--n-train", type=int, default=2560)
    p.add_argument("--n-test", type=int, default=800)
    p.add_argument("--length", type=int, default=64)
    p.add_argument("--channels", type=int, nargs="+", default=[16, 24, 32, 32])
    p.add_argument("--kernel", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=7)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def make_waves(n, length, rng):
    t = np.linspace(0, 1, length, dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    freq = rng.uniform(2.0, 6.0, size=(n, 1)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1)).astype(np.float32)
    arg = 2 * np.pi * freq * t[None, :] + phase
    sine = np.sin(arg)
    square = np.sign(np.sin(arg))
    saw = 2.0 * ((arg / (2 * np.pi)) % 1.0) - 1.0
    chirp = np.sin(2 * np.pi * freq * t[None, :] * (1 + 2 * t[None, :]) + phase)
    bank = np.stack([sine, square, saw, chirp], axis=1)
    x = bank[np.arange(n), y]
    x = x + 0.3 * rng.standard_normal(x.shape).astype(np.float32)
    return torch.from_numpy(x[:, None, :].astype(np.float32)), torch.from_numpy(y).long()


class WaveNet1d(nn.Module):
    def __init__(self, channels, kernel, n_classes=4):
        super().__init__()
        blocks = []
        c_in = 1
        for i, c in enumerate(channels):
            blocks.append(nn.Conv1d(c_in, c, kernel, padding=kernel // 2))
            blocks.append(nn.ReLU())
            if i % 2 == 1:
                blocks.append(nn.MaxPool1d(2))
            c_in = c
        self.features = nn.Sequential(*blocks)
        self.fc = nn.Linear(c_in, n_classes)

    def forward(self, x):
        h = self.features(x)
        return self.fc(h.mean(dim=-1))


def he_init(module):
    if isinstance(module, nn.Conv1d):
        fan_in = module.weight.shape[-1]
        nn.init.normal_(module.weight, 0.0, math.sqrt(2.0 / fan_in))
        nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, 0.0, math.sqrt(1.0 / module.in_features))
        nn.init.zeros_(module.bias)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            total += len(yb)
    return correct / total


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    xtr, ytr = make_waves(args.n_train, args.length, rng)
    xte, yte = make_waves(args.n_test, args.length, rng)
    train_dl = DataLoader(TensorDataset(xtr, ytr), batch_size=args.batch_size, shuffle=True)
    test_dl = DataLoader(TensorDataset(xte, yte), batch_size=256)

    model = WaveNet1d(args.channels, args.kernel)
    model.apply(he_init)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * len(train_dl))

    step = 0
    for epoch in range(args.epochs):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in train_dl:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if step == 0:
                print(f"initial loss {loss.item():.3f}")
            step += 1
            tot += loss.item() * len(yb)
            n += len(yb)
        print(f"epoch {epoch + 1} steps {step} train_loss {tot / n:.4f} test_acc {evaluate(model, test_dl):.3f}")


if __name__ == "__main__":
    main()
