"""
MLP-Mixer on load_digits: 2x2 patches (16 tokens) -> linear patch embedding (64-d), two
Mixer layers (token MLP 16-32-16, channel MLP 64-128-64, GELU, LayerNorm, residuals),
mean pooling, linear head. Small Trainer class, AdamW lr 2e-3 wd 1e-4, OneCycleLR,
label smoothing 0.05, DataLoader batch 48, 8 epochs (304 steps), per-epoch validation.

Seeded bug: Trainer.__init__ builds the optimizer from model.parameters(), and only later
fit() calls _prepare(), which wraps every nn.Linear in weight_norm (parametrizations). That
replaces each Linear's weight by new parameters (original0 = g, original1 = v) that the
optimizer has never seen: they receive gradients every step but are never updated, so
all linear weights stay at their random init (only biases and LayerNorm parameters train).
A realistic ordering mistake between model preparation and optimizer construction.

Measured (seed 0, 1 thread): buggy: val acc 0.224, val loss 2.243 after 8 epochs (train loss
2.35 -> 2.25). Fixed copy (weight_norm applied before creating the optimizer): val acc
0.976, val loss 0.140.
"""
# traindebug-expect: frozen_or_unoptimized
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import weight_norm
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class MlpBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class MixerLayer(nn.Module):
    def __init__(self, n_tokens, dim, token_hidden, channel_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.token_mlp = MlpBlock(n_tokens, token_hidden)
        self.norm2 = nn.LayerNorm(dim)
        self.channel_mlp = MlpBlock(dim, channel_hidden)

    def forward(self, x):                               # (B, T, C)
        x = x + self.token_mlp(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.channel_mlp(self.norm2(x))


class DigitMixer(nn.Module):
    def __init__(self, patch=2, dim=64, depth=2, n_classes=10):
        super().__init__()
        self.patch = patch
        n_tokens = (8 // patch) ** 2
        self.embed = nn.Linear(patch * patch, dim)
        self.layers = nn.Sequential(*[MixerLayer(n_tokens, dim, 32, 128) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, img):                             # (B, 1, 8, 8)
        patches = F.unfold(img, kernel_size=self.patch, stride=self.patch).transpose(1, 2)
        x = self.layers(self.embed(patches))
        return self.head(self.norm(x).mean(dim=1))


class Trainer:
    def __init__(self, model, lr=2e-3, weight_decay=1e-4, epochs=8):
        self.model = model
        self.epochs = epochs
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
        self.history = []

    def _prepare(self):
        # weight-normalised linear layers train more smoothly for this small mixer
        for module in list(self.model.modules()):
            if isinstance(module, nn.Linear):
                weight_norm(module)

    def fit(self, train_loader, val_loader):
        self._prepare()
        sched = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer, max_lr=self.optimizer.param_groups[0]["lr"],
            total_steps=self.epochs * len(train_loader))
        for epoch in range(self.epochs):
            self.model.train()
            tot, n = 0.0, 0
            for xb, yb in train_loader:
                loss = F.cross_entropy(self.model(xb), yb, label_smoothing=0.05)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                sched.step()
                tot += loss.item() * len(yb)
                n += len(yb)
            val_loss, val_acc = self.evaluate(val_loader)
            self.history.append((tot / n, val_loss, val_acc))
            print(f"epoch {epoch}  train loss {tot / n:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.4f}")
        return self.history

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        tot, correct, n = 0.0, 0, 0
        for xb, yb in loader:
            out = self.model(xb)
            tot += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
        return tot / n, correct / n


def main():
    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.5) / 0.5
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    to_ds = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32).view(-1, 1, 8, 8), torch.tensor(b))
    train_loader = DataLoader(to_ds(X_tr, y_tr), batch_size=48, shuffle=True)
    val_loader = DataLoader(to_ds(X_va, y_va), batch_size=256)

    trainer = Trainer(DigitMixer())
    hist = trainer.fit(train_loader, val_loader)
    print(f"final val acc {hist[-1][2]:.4f}  val loss {hist[-1][1]:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
