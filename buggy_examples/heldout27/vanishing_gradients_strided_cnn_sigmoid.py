"""Strided 1-D CNN (7 conv layers, stride 2, global average pooling) classifying generated
waveforms (sine / square / sawtooth / chirp), SGD momentum + cosine schedule, argparse config.

Seeded bug: the --act default is "sigmoid" for all seven conv blocks (the weights use a
ReLU-gain Kaiming init). Each sigmoid contributes a derivative <= 0.25, and the non-zero-mean
outputs make it worse, so gradients shrink by orders of magnitude towards the input.

Measured at init: conv grad norms from first to last layer 6.3e-6, 2.1e-4, 4.3e-4, 2.4e-3,
9.1e-3, 2.9e-2, 9.9e-2 (~16000x ratio; with --act relu they are all 3e-2..1e-1). Training
(240 steps): loss stays at 1.386-1.40 (= ln 4), val accuracy 0.250 (chance). With
--act relu (fixed) val accuracy 0.896.
"""
# traindebug-expect: vanishing_gradients
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def synth_waveforms(n, length, rng):
    """4 classes: sine, square, sawtooth, chirp; random freq/phase/amplitude plus noise."""
    t = np.linspace(0, 1, length, dtype=np.float32)
    y = rng.integers(0, 4, n)
    f = rng.uniform(3, 9, n)[:, None]
    ph = rng.uniform(0, 2 * np.pi, n)[:, None]
    amp = rng.uniform(0.5, 1.5, n)[:, None]
    arg = 2 * np.pi * f * t + ph
    waves = np.stack([np.sin(arg), np.sign(np.sin(arg)),
                      2 * ((arg / (2 * np.pi)) % 1.0) - 1,
                      np.sin(2 * np.pi * f * t * (0.5 + 1.5 * t) + ph)], axis=0)
    x = amp * waves[y, np.arange(n)] + rng.normal(0, 0.3, (n, length))
    return torch.tensor(x[:, None, :], dtype=torch.float32), torch.tensor(y)


class StridedCNN(nn.Module):
    def __init__(self, channels, act):
        super().__init__()
        layers, c_in = [], 1
        for c_out in channels:
            layers += [nn.Conv1d(c_in, c_out, kernel_size=5, stride=2, padding=2), ACTIVATIONS[act]()]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c_in, 4)
        for m in self.modules():
            if isinstance(m, nn.Conv1d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.features(x)
        return self.classifier(h.mean(dim=-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--length", type=int, default=256)
    p.add_argument("--channels", type=int, nargs="+", default=[16, 16, 32, 32, 32, 32, 32])
    p.add_argument("--act", choices=sorted(ACTIVATIONS), default="sigmoid")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()

    rng = np.random.default_rng(5)
    torch.manual_seed(5)
    Xtr, ytr = synth_waveforms(1536, args.length, rng)
    Xva, yva = synth_waveforms(512, args.length, rng)

    model = StridedCNN(args.channels, args.act)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)

    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot = 0.0
        for i in range(0, len(Xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(Xva).argmax(1) == yva).float().mean().item()
        if epoch % 2 == 1 or epoch == 0:
            print(f"epoch {epoch + 1:2d} train_loss {tot / len(Xtr):.4f} val_acc {acc:.3f}")
    print(f"final val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
