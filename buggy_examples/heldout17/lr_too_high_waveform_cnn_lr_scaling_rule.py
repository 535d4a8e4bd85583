"""Seeded bug (lr_too_high): the script applies the "linear scaling rule" but
forgets to divide by the reference batch size that --base-lr is defined for
(lr = base_lr * batch_size instead of base_lr * batch_size / 32). With batch 64
this gives Adam an lr of 0.064 instead of 0.002 (32x too large) for the small 1-D
CNN (gradient-checkpointed ELU conv blocks). The loss spikes from ln(5)=1.61 to
11-16 within the first ten steps, stays noisy, and the model ends far worse.

Measured (200 Adam steps): buggy per-step loss 1.61 -> 16.4 at step 7, epoch-0 mean
train_loss 4.84, final train_loss ~0.36, test_loss ~0.355, test_acc ~0.79; fixed
(lr=0.002) epoch-0 train_loss 1.54, final train_loss 0.015, test_loss 0.034,
test_acc 0.990.
"""
# traindebug-expect: lr_too_high
import argparse
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


def parse_args():
    p = argparse.ArgumentParser(description="1-D CNN on synthetic waveform classes")
    p.add_argument("--base-lr", type=float, default=1e-3, help="lr for a reference batch of 32 (scaled linearly)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--wd", type=float, default=1e-5)
    p.add_argument("--grad-ckpt", action="store_true", default=True)
    p.add_argument("--seed", type=int, default=3)
    return p.parse_args()


def synth_waveforms(n, length=64, n_classes=5, rng=None):
    t = np.linspace(0, 1, length, dtype=np.float32)
    y = rng.integers(0, n_classes, size=n)
    freq = 2.0 + 2.0 * y + rng.normal(0, 0.4, size=n)
    phase = rng.uniform(0, 2 * np.pi, size=n)
    amp = rng.uniform(0.6, 1.4, size=n)
    x = amp[:, None] * np.sin(2 * np.pi * freq[:, None] * t[None, :] + phase[:, None])
    # odd classes get a square-ish harmonic component
    x += (y % 2)[:, None] * 0.3 * np.sign(np.sin(2 * np.pi * 2 * freq[:, None] * t[None, :]))
    x += rng.normal(0, 0.5, size=x.shape)
    return torch.tensor(x, dtype=torch.float32).unsqueeze(1), torch.tensor(y)


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv1d(cin, cout, 5, padding=2)
        self.conv2 = nn.Conv1d(cout, cout, 5, padding=2)

    def forward(self, x):
        x = F.elu(self.conv1(x))
        x = F.elu(self.conv2(x))
        return F.max_pool1d(x, 2)


class WaveNetLite(nn.Module):
    def __init__(self, n_classes=5, use_ckpt=True):
        super().__init__()
        self.blocks = nn.ModuleList([ConvBlock(1, 8), ConvBlock(8, 16), ConvBlock(16, 16)])
        self.head = nn.Linear(16, n_classes)
        self.use_ckpt = use_ckpt

    def forward(self, x):
        for blk in self.blocks:
            if self.use_ckpt and self.training:
                x = checkpoint(blk, x, use_reentrant=False)
            else:
                x = blk(x)
        return self.head(x.mean(-1))


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    xtr, ytr = synth_waveforms(1280, rng=rng)
    xte, yte = synth_waveforms(600, rng=rng)

    model = WaveNetLite(use_ckpt=args.grad_ckpt)
    # linear scaling rule: lr grows with the batch size relative to the reference batch
    lr = args.base_lr * args.batch_size
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(args.momentum, 0.999),
                           weight_decay=args.wd)
    steps_per_epoch = len(xtr) // args.batch_size
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[int(0.7 * args.epochs * steps_per_epoch)],
                                                 gamma=0.1)
    print(f"lr={lr:.3g}  steps/epoch={steps_per_epoch}")
    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(xtr))
        tot = 0.0
        for i in range(steps_per_epoch):
            idx = perm[i * args.batch_size:(i + 1) * args.batch_size]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
            step += 1
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            te_loss, te_acc = evaluate(model, xte, yte)
            print(f"epoch {epoch:2d} step {step:4d}  train_loss {tot / steps_per_epoch:.4f}  "
                  f"test_loss {te_loss:.4f}  test_acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
