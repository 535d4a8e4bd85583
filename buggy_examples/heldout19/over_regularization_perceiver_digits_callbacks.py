"""Perceiver-style classifier on sklearn digits: pixels become a token set (value + Fourier
position features), 8 learned latents cross-attend to it; callback-driven trainer with
warmup-cosine schedule.

Seeded bug (over_regularization): the optimizer line uses the transformer-typical
decay value `weight_decay=0.05` but with torch.optim.Adam, where it is a coupled
L2 term added to the gradient before the adaptive normalisation; the decay term
dominates the tiny cross-entropy gradients and pins all weights near zero.
Measured after 176 steps: buggy train loss 2.309 -> 2.302 (= ln 10), test acc 0.10;
fixed (same settings with AdamW, decoupled decay): train loss 0.38, test acc 0.91.
"""
# traindebug-expect: over_regularization
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

# ---------------------------------------------------------------- data: pixels as a token set
digits = load_digits()
imgs = digits.images.astype(np.float32) / 16.0                  # (N, 8, 8)
yy, xx = np.meshgrid(np.linspace(-1, 1, 8), np.linspace(-1, 1, 8), indexing="ij")
coords = np.stack([yy, xx], -1).reshape(64, 2).astype(np.float32)
tokens = np.concatenate([imgs.reshape(-1, 64, 1), np.broadcast_to(coords, (len(imgs), 64, 2))], -1)
Xtr, Xte, ytr, yte = train_test_split(tokens, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
Xtr, Xte = torch.tensor(Xtr), torch.tensor(Xte)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)


# ---------------------------------------------------------------- model
class FourierEncode(nn.Module):
    def __init__(self, n_bands=4):
        super().__init__()
        self.register_buffer("freqs", 2.0 ** torch.arange(n_bands) * math.pi)

    def forward(self, tok):
        val, pos = tok[..., :1], tok[..., 1:]
        ang = pos[..., None] * self.freqs                          # (B, T, 2, bands)
        enc = torch.cat([ang.sin(), ang.cos()], -1).flatten(-2)
        return torch.cat([val, pos, enc], -1)


class LatentBlock(nn.Module):
    def __init__(self, d, heads=4):
        super().__init__()
        self.n1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.n2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, z):
        h = self.n1(z)
        z = z + self.attn(h, h, h, need_weights=False)[0]
        return z + self.ff(self.n2(z))


class TinyPerceiver(nn.Module):
    def __init__(self, in_dim, d=48, n_latents=8, n_classes=10):
        super().__init__()
        self.enc = FourierEncode()
        self.inp = nn.Linear(in_dim, d)
        self.latents = nn.Parameter(torch.randn(n_latents, d) * 0.2)
        self.cross_norm_q = nn.LayerNorm(d)
        self.cross_norm_kv = nn.LayerNorm(d)
        self.cross = nn.MultiheadAttention(d, 1, batch_first=True)
        self.self_block = LatentBlock(d)
        self.head = nn.Linear(d, n_classes)

    def forward(self, tok):
        kv = self.cross_norm_kv(self.inp(self.enc(tok)))
        q = self.cross_norm_q(self.latents).expand(tok.shape[0], -1, -1)
        z = self.latents + self.cross(q, kv, kv, need_weights=False)[0]
        z = self.self_block(z)
        return self.head(z.mean(1))


# ---------------------------------------------------------------- trainer with callbacks
class Callback:
    def on_step_end(self, trainer, step, loss): ...
    def on_epoch_end(self, trainer, epoch): ...


class WarmupCosine(Callback):
    def __init__(self, opt, warmup, total):
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, total) / total)))

    def on_step_end(self, trainer, step, loss):
        self.sched.step()


class Logger(Callback):
    def on_epoch_end(self, trainer, epoch):
        tr_loss = np.mean(trainer.epoch_losses)
        acc = trainer.accuracy(Xte, yte)
        print(f"epoch {epoch}  train_loss {tr_loss:.4f}  test_acc {acc:.3f}")


class Trainer:
    def __init__(self, model, opt, callbacks=(), batch_size=64):
        self.model, self.opt, self.callbacks, self.bs = model, opt, list(callbacks), batch_size
        self.step = 0

    def accuracy(self, X, y):
        self.model.eval()
        with torch.no_grad():
            acc = (self.model(X).argmax(1) == y).float().mean().item()
        self.model.train()
        return acc

    def fit(self, X, y, epochs):
        for epoch in range(epochs):
            self.epoch_losses = []
            perm = torch.randperm(len(X))
            for i in range(0, len(X), self.bs):
                b = perm[i:i + self.bs]
                loss = F.cross_entropy(self.model(X[b]), y[b])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.epoch_losses.append(loss.item())
                for cb in self.callbacks:
                    cb.on_step_end(self, self.step, loss.item())
                self.step += 1
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch)


EPOCHS = 8
model = TinyPerceiver(in_dim=3 + 2 * 2 * 4)
opt = torch.optim.Adam(model.parameters(), lr=4e-3, betas=(0.9, 0.98), weight_decay=0.05)
steps_per_epoch = math.ceil(len(Xtr) / 64)
trainer = Trainer(model, opt, [WarmupCosine(opt, 20, EPOCHS * steps_per_epoch), Logger()])
trainer.fit(Xtr, ytr, EPOCHS)
print("steps:", trainer.step)
