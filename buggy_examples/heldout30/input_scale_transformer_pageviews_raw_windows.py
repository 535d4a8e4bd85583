"""Multi-step forecaster for hourly web page views (synthetic: level ~900 with slow growth,
daily and weekly cycles, noise sd 40): a small patch Transformer (48-hour lookback cut into
8 patches of 6, Linear patch embedding, learned positions, 2 encoder layers, d_model 32)
predicts the next 6 hours. Dataclass config, manual shuffled mini-batches of 64, Adam lr 1e-3,
6 epochs (300 steps), MSE; validation MSE after each epoch on the last 20% of the series.

Seeded bug: the author standardises the targets (Y = (Y - mu) / sd) with the training
mean/std but the input windows X were cut from the raw series and are never scaled, so the
network sees values around 600-1400 while it must output z-scores. The patch embedding
produces huge activations that LayerNorm flattens (the within-window variation is a tiny
fraction of the offset), and the growing trend pushes validation inputs out of the
training range. Typical "normalise after windowing, forgot one of the arrays" mistake.

Measured (fixed copy also applies X = (X - mu) / sd): final val MSE 0.236 vs 0.068
(predict-the-mean baseline 1.17), final-epoch train MSE 0.093 vs 0.053; the buggy val MSE
jumps around between epochs (0.48, 0.31, 0.25, 0.13, 0.21, 0.24).
"""
# traindebug-expect: input_scale
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn


@dataclass
class Config:
    lookback: int = 48
    horizon: int = 6
    patch: int = 6
    d_model: int = 32
    n_heads: int = 4
    n_layers: int = 2
    batch_size: int = 64
    lr: float = 1e-3
    epochs: int = 6
    seed: int = 0


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
rng = np.random.default_rng(cfg.seed)

# hourly page views of a web site: daily + weekly cycle, slow growth, noise
T = 4000
t = np.arange(T)
views = (900 + 0.05 * t
         + 250 * np.sin(2 * np.pi * t / 24)
         + 120 * np.sin(2 * np.pi * t / 168 + 1.0)
         + 40 * rng.standard_normal(T)).astype(np.float32)


def make_windows(series, lookback, horizon):
    idx = np.arange(len(series) - lookback - horizon + 1)
    X = np.stack([series[i:i + lookback] for i in idx])
    Y = np.stack([series[i + lookback:i + lookback + horizon] for i in idx])
    return X, Y


X, Y = make_windows(views, cfg.lookback, cfg.horizon)
n_train = int(0.8 * len(X))
mu, sd = views[:n_train + cfg.lookback].mean(), views[:n_train + cfg.lookback].std()
Y = (Y - mu) / sd

X_tr, Y_tr = torch.from_numpy(X[:n_train]), torch.from_numpy(Y[:n_train])
X_va, Y_va = torch.from_numpy(X[n_train:]), torch.from_numpy(Y[n_train:])
print(f"train windows {len(X_tr)}, val windows {len(X_va)}, target mean {mu:.1f} sd {sd:.1f}")


class PatchTransformer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.patch = c.patch
        n_tokens = c.lookback // c.patch
        self.inp = nn.Linear(c.patch, c.d_model)
        self.pos = nn.Parameter(torch.randn(1, n_tokens, c.d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(c.d_model, c.n_heads, 2 * c.d_model, dropout=0.0,
                                           batch_first=True)
        self.enc = nn.TransformerEncoder(layer, c.n_layers, enable_nested_tensor=False)
        self.head = nn.Linear(c.d_model * n_tokens, c.horizon)

    def forward(self, x):
        h = self.inp(x.unfold(1, self.patch, self.patch)) + self.pos
        h = self.enc(h)
        return self.head(h.flatten(1))


model = PatchTransformer(cfg)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(cfg.epochs):
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(X_tr), cfg.batch_size):
        b = perm[i:i + cfg.batch_size]
        loss = loss_fn(model(X_tr[b]), Y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        step += 1
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(X_va), Y_va).item()
    model.train()
    print(f"epoch {epoch + 1}  step {step}  train mse {tot / len(X_tr):.4f}  val mse {val:.4f}")

naive = loss_fn(torch.zeros_like(Y_va) + Y_tr.mean(), Y_va).item()
print(f"final val mse {val:.4f} (predict-the-mean baseline {naive:.4f})")
