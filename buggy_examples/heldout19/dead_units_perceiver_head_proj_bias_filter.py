"""Perceiver-style latent cross-attention classifier on sklearn digits (rows as tokens).

Seeded bug (dead_units): the init routine gives the highway gates a negative bias
(-2, so gates start nearly closed) by matching parameter names containing "proj".
That substring also matches the classifier head's `head.proj` (the ReLU hidden
layer of the head) and the attention in/out projections. With LayerNorm'd inputs
the head's pre-activations are ~N(-2, 0.58^2), so its ReLU units are inactive for
every sample and no gradient reaches anything below the head.
Measured: buggy 100% of the 64 head units inactive over the whole dataset at init;
loss stays at 2.3025 (ln 10) for all 270 steps, test_acc 0.100; fixed (match only
"gate_proj") final train loss 0.138, test_loss 0.193, test_acc 0.942.
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class GatedResidual(nn.Module):
    """Highway-style residual: the gate starts mostly closed (carry behaviour)."""

    def __init__(self, dim):
        super().__init__()
        self.gate_proj = nn.Linear(dim, dim)

    def forward(self, x, update):
        g = torch.sigmoid(self.gate_proj(x))
        return x + g * update


class LatentBlock(nn.Module):
    def __init__(self, dim, heads, ff_mult=2):
        super().__init__()
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.res_attn = GatedResidual(dim)
        self.norm_ff = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, ff_mult * dim), nn.GELU(), nn.Linear(ff_mult * dim, dim))
        self.res_ff = GatedResidual(dim)

    def forward(self, latents, context):
        q = self.norm_q(latents)
        kv = self.norm_kv(context)
        a, _ = self.attn(q, kv, kv, need_weights=False)
        latents = self.res_attn(latents, a)
        return self.res_ff(latents, self.ff(self.norm_ff(latents)))


class ClassifierHead(nn.Module):
    def __init__(self, dim, hidden, n_classes):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, z):
        return self.out(F.relu(self.proj(self.norm(z))))


class TinyPerceiver(nn.Module):
    def __init__(self, n_tokens=8, dim=32, n_latents=8, heads=4, n_classes=10):
        super().__init__()
        self.token_embed = nn.Linear(8, dim)
        self.pos = nn.Parameter(torch.zeros(1, n_tokens, dim))
        self.latents = nn.Parameter(torch.zeros(1, n_latents, dim))
        self.cross = LatentBlock(dim, heads=1)
        self.process = LatentBlock(dim, heads=heads)
        self.head = ClassifierHead(dim, 64, n_classes)
        self._init_weights()

    def _init_weights(self):
        nn.init.trunc_normal_(self.pos, std=0.02)
        nn.init.trunc_normal_(self.latents, std=0.02)
        for name, p in self.named_parameters():
            if name.endswith("bias") and "proj" in name:
                nn.init.constant_(p, -2.0)   # gates start nearly closed
            elif name.endswith("bias") and "norm" not in name:
                nn.init.zeros_(p)

    def forward(self, x):
        ctx = self.token_embed(x.view(x.size(0), 8, 8)) + self.pos
        lat = self.latents.expand(x.size(0), -1, -1)
        lat = self.cross(lat, ctx)
        lat = self.process(lat, lat)
        return self.head(lat.mean(1))


digits = load_digits()
X = (digits.data / 16.0 - 0.5).astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.2, random_state=1, stratify=digits.target)
Xtr, Xte = torch.tensor(Xtr), torch.tensor(Xte)
ytr, yte = torch.tensor(ytr).long(), torch.tensor(yte).long()

model = TinyPerceiver()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=270)

step = 0
for epoch in range(10):
    model.train()
    perm = torch.randperm(len(Xtr))
    tl = []
    for i in range(0, len(Xtr), 54):
        idx = perm[i:i + 54]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        tl.append(loss.item())
    model.eval()
    with torch.no_grad():
        logits = model(Xte)
        acc = (logits.argmax(1) == yte).float().mean().item()
        vl = F.cross_entropy(logits, yte).item()
    print(f"epoch {epoch} step {step} train_loss {np.mean(tl):.4f} test_loss {vl:.4f} test_acc {acc:.3f}")
