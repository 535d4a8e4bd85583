"""
CLIP-style contrastive dual encoder on scikit-learn digits: the top half (32 pixels) and bottom
half (32 pixels) of each image go through separate MLP towers (LayerNorm, GELU, 32-d
L2-normalised embeddings); symmetric in-batch InfoNCE with a learned temperature
(logit_scale initialised to log(1/0.07), clamped to [0, log 100] after each step as in CLIP),
AdamW lr 2e-3 with weight decay 0.05 on matrices only, small Gaussian noise augmentation,
batch 64, 12 epochs = 252 steps. Evaluated as 450-way pair retrieval on the test split.

Healthy control: standard CLIP recipe at a small scale.
Possible false alarm: (a) a parameter is used through exp() and clamped in-place outside
autograd after every step; (b) the contrastive loss never approaches zero (train ~0.6 with 64
candidates, test ~2.9 with 450 candidates: different numbers of negatives), so a detector may
call it underfitting or a train/test gap; (c) parameter groups with weight decay disabled for
biases/LayerNorm/temperature.

Measured (seed 21, 1 thread): test InfoNCE loss 3.24 after epoch 3 -> 2.946 final (ln 450 =
6.11), pair retrieval top-1 0.253 (chance 0.002), same-digit retrieval 0.833, temperature
0.07 -> 0.054.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(21)


class Tower(nn.Module):
    def __init__(self, d_in, d_hidden=128, d_emb=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, d_hidden), nn.LayerNorm(d_hidden), nn.GELU(),
                                 nn.Linear(d_hidden, d_hidden), nn.GELU(), nn.Linear(d_hidden, d_emb))

    def forward(self, x):
        return F.normalize(self.net(x), dim=-1)


class DualEncoder(nn.Module):
    """CLIP-style: two towers, cosine similarities scaled by a learned temperature."""

    def __init__(self):
        super().__init__()
        self.top = Tower(32)
        self.bottom = Tower(32)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, a, b):
        return self.logit_scale.exp() * self.top(a) @ self.bottom(b).T


def clip_loss(logits):
    target = torch.arange(len(logits))
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


@torch.no_grad()
def retrieval_metrics(model, a, b, labels):
    sims = model.top(a) @ model.bottom(b).T
    best = sims.argmax(1)
    exact = (best == torch.arange(len(a))).float().mean().item()
    same_class = (labels[best] == labels).float().mean().item()
    return clip_loss(model.logit_scale.exp() * sims).item(), exact, same_class


digits = load_digits()
X = digits.data.astype(np.float32) / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.25, random_state=0)
mean, std = X_tr.mean(0), X_tr.std(0) + 0.1
X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
top_tr, bot_tr = torch.tensor(X_tr[:, :32]), torch.tensor(X_tr[:, 32:])
top_te, bot_te = torch.tensor(X_te[:, :32]), torch.tensor(X_te[:, 32:])
y_te = torch.tensor(y_te)

model = DualEncoder()
decay = [p for n, p in model.named_parameters() if p.ndim > 1]
no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                         {"params": no_decay, "weight_decay": 0.0}], lr=2e-3)

BATCH, EPOCHS = 64, 12
step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(top_tr))
    for k in range(0, len(perm) - BATCH + 1, BATCH):
        idx = perm[k:k + BATCH]
        a = top_tr[idx] + 0.1 * torch.randn(len(idx), 32)
        b = bot_tr[idx] + 0.1 * torch.randn(len(idx), 32)
        loss = clip_loss(model(a, b))
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0.0, math.log(100.0))
        step += 1
    model.eval()
    te_loss, exact, same = retrieval_metrics(model, top_te, bot_te, y_te)
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch + 1} step {step} train_loss {loss.item():.4f} test_loss {te_loss:.4f} "
              f"temperature {1 / model.logit_scale.exp().item():.4f} top1_pair {exact:.3f} top1_class {same:.3f}")

print(f"final test: 450-way pair retrieval top-1 {exact:.3f}, same-digit retrieval {same:.3f}, loss {te_loss:.4f}")
