"""Seeded bug: the custom LeCun-style init writes ``std = 1.0 / fan_in ** -0.5``, i.e.
std = sqrt(fan_in) instead of 1/sqrt(fan_in). Every conv/linear layer (including the FiLM
generator, whose gamma multiplies the conv features) therefore amplifies activations by
~fan_in per layer; the initial logits are astronomically large (initial loss ~1.4e8 instead
of ln 4 = 1.39) and Adam spends the whole budget shrinking the blown-up weights.
Measured (seed 0, 240 steps): buggy initial loss 1.44e8, final train loss 6.5e6, val acc
0.507; fixed (1.0 / fan_in ** 0.5) initial loss 1.401, final train loss 0.0005, val acc 1.000.
"""
# traindebug-expect: bad_init_scale
from dataclasses import dataclass
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)


@dataclass
class Cfg:
    seq_len: int = 96
    n_ctx: int = 3
    channels: int = 24
    n_classes: int = 4
    batch: int = 64
    epochs: int = 12
    lr: float = 2e-3
    seed: int = 0


class ToneDataset(Dataset):
    """Noisy two-tone signals. The class is which of 4 frequency bands is present, but the
    band table is permuted by a context id (one of n_ctx 'devices')."""

    def __init__(self, n, cfg, seed):
        g = np.random.default_rng(seed)
        bands = np.array([2.0, 5.0, 9.0, 14.0])
        perms = [np.array(p) for p in ([0, 1, 2, 3], [2, 3, 0, 1], [1, 0, 3, 2])]
        t = np.linspace(0, 1, cfg.seq_len, endpoint=False)
        self.ctx = g.integers(cfg.n_ctx, size=n)
        band = g.integers(4, size=n)
        self.y = np.array([perms[c][b] for c, b in zip(self.ctx, band)])
        phase = g.uniform(0, 2 * np.pi, size=(n, 1))
        freq = bands[band][:, None] * g.uniform(0.9, 1.1, size=(n, 1))
        self.x = (np.sin(2 * np.pi * freq * t + phase) + 0.4 * g.normal(size=(n, cfg.seq_len))).astype(np.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i])[None], int(self.ctx[i]), int(self.y[i])


class FiLM(nn.Module):
    def __init__(self, n_ctx, channels):
        super().__init__()
        self.emb = nn.Embedding(n_ctx, 16)
        self.gen = nn.Linear(16, 2 * channels)

    def forward(self, h, ctx):
        gamma, beta = self.gen(self.emb(ctx)).chunk(2, dim=-1)
        return h * (1 + gamma[..., None]) + beta[..., None]


class FiLMNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg.channels
        self.conv1 = nn.Conv1d(1, c, 7, padding=3)
        self.conv2 = nn.Conv1d(c, c, 5, padding=2, stride=2)
        self.conv3 = nn.Conv1d(c, c, 5, padding=2, stride=2)
        self.film2 = FiLM(cfg.n_ctx, c)
        self.film3 = FiLM(cfg.n_ctx, c)
        self.head = nn.Linear(c, cfg.n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                fan_in = m.weight[0].numel()
                std = 1.0 / fan_in ** -0.5
                nn.init.normal_(m.weight, 0.0, std)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, 0.0, 1.0)

    def forward(self, x, ctx):
        h = F.relu(self.conv1(x))
        h = F.relu(self.film2(self.conv2(h), ctx))
        h = F.relu(self.film3(self.conv3(h), ctx))
        return self.head(h.mean(-1))


cfg = Cfg()
torch.manual_seed(cfg.seed)
train_ds, val_ds = ToneDataset(1280, cfg, 1), ToneDataset(400, cfg, 2)
train_dl = DataLoader(train_ds, batch_size=cfg.batch, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=200)

model = FiLMNet(cfg)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)

for epoch in range(cfg.epochs):
    model.train()
    tot, n = 0.0, 0
    for step, (x, c, y) in enumerate(train_dl):
        loss = F.cross_entropy(model(x, c), y)
        if epoch == 0 and step == 0:
            print(f"initial loss {loss.item():.3f}")
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(y)
        n += len(y)
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d}  train loss {tot / n:.4f}")

model.eval()
correct = 0
with torch.no_grad():
    for x, c, y in val_dl:
        correct += (model(x, c).argmax(-1) == y).sum().item()
print(f"final train loss {tot / n:.4f}  val acc {correct / len(val_ds):.3f}")
