"""Perceiver-style classifier (Jaegle et al. 2021) on sklearn digits.

Each 8x8 image becomes 64 pixel tokens (intensity projected to 32-d plus a learned
position embedding).  A learned array of 8 latents cross-attends to the tokens
(4 heads), then one latent self-attention block; mean-pooled latents feed a linear
head.  AdamW (lr 3e-3, weight decay 1e-2), batch 64, 7 epochs (154 optimizer steps),
DataLoader.

Seeded bug: the token embedding is computed sequence-first ([64, B, 32], convenient for
adding the [64, 1, 32] position table) and then brought back to batch-first with
`.reshape(B, 64, 32)` instead of `.transpose(0, 1)`.  The reshape silently succeeds but
the "tokens" of one sample are now the embeddings of the same pixel position from 64
different images of the batch, so each prediction depends on other samples.

Measured (seed 0): buggy final test accuracy 0.067 (test loss 2.316, chance level);
fixed copy (`.transpose(0, 1)`) test accuracy 0.807 (test loss 0.540).
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)


class LatentPerceiver(nn.Module):
    def __init__(self, n_tokens=64, d=32, n_latents=8, heads=4, n_classes=10):
        super().__init__()
        self.d = d
        self.pixel_proj = nn.Linear(1, d)
        self.pos = nn.Parameter(torch.randn(n_tokens, 1, d))
        self.latents = nn.Parameter(torch.randn(n_latents, d))
        self.norm_in = nn.LayerNorm(d)
        self.norm_lat = nn.LayerNorm(d)
        self.cross = nn.MultiheadAttention(d, heads, batch_first=True)
        self.self_attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm_sa = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.head = nn.Linear(d, n_classes)

    def forward(self, x):
        B, n = x.shape
        tok = self.pixel_proj(x.t().unsqueeze(-1)) + self.pos     # [n, B, d]
        tok = self.norm_in(tok.reshape(B, n, self.d))
        lat = self.latents.unsqueeze(0).expand(B, -1, -1)
        q = self.norm_lat(lat)
        lat = lat + self.cross(q, tok, tok, need_weights=False)[0]
        h = self.norm_sa(lat)
        lat = lat + self.self_attn(h, h, h, need_weights=False)[0]
        lat = lat + self.mlp(lat)
        return self.head(lat.mean(1))


digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
mu, sd = X_tr.mean(), X_tr.std()
train_dl = DataLoader(TensorDataset(torch.tensor((X_tr - mu) / sd), torch.tensor(y_tr)), batch_size=64, shuffle=True)
X_te_t, y_te_t = torch.tensor((X_te - mu) / sd), torch.tensor(y_te)

model = LatentPerceiver()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)

for epoch in range(1, 8):
    model.train()
    tot, cnt = 0.0, 0
    for xb, yb in train_dl:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(yb)
        cnt += len(yb)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(X_te_t[i:i + 64]) for i in range(0, len(X_te_t), 64)])
        test_loss = F.cross_entropy(logits, y_te_t).item()
        acc = (logits.argmax(1) == y_te_t).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch}  train loss {tot / cnt:.4f}  test loss {test_loss:.4f}  test acc {acc:.3f}")

print(f"final: test loss {test_loss:.4f}  test accuracy {acc:.4f}")
