"""Siamese / contrastive metric learning on sklearn digits: a shared MLP encoder
embeds both members of randomly drawn same/different-digit pairs, trained with a
margin contrastive loss; quality is measured by 1-NN accuracy in embedding space.

Seeded bug (lr_too_low): StepLR(step_size=10, gamma=0.1) is meant to decay the
rate every 10 *epochs*, but `sched.step()` is called inside the batch loop, so the
rate is divided by 10 every 10 *optimizer steps*: 1e-4 after the first epoch,
1e-10 by epoch 5 and ~1e-33 at the end.  Training effectively stops after ~20
steps while gradients are perfectly healthy.

Measured: contrastive loss stalls at ~0.086-0.089 from epoch 5 on, 1-NN test
accuracy stuck at 0.944 (0.913 before training).  Fixed copy (sched.step() once
per epoch): loss 0.024, 1-NN accuracy 0.970.
"""
# traindebug-expect: lr_too_low
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
rng = np.random.default_rng(0)
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
order = np.argsort(y_tr, kind="stable")
counts = np.bincount(y_tr, minlength=10)
starts = np.concatenate([[0], np.cumsum(counts)[:-1]])


def make_pairs(n):
    """Half positive pairs (same digit), half negative pairs."""
    a = rng.integers(0, len(X_tr), n)
    ca = y_tr[a]
    same = rng.random(n) < 0.5
    pos = order[starts[ca] + (rng.random(n) * counts[ca]).astype(int)]
    neg = rng.integers(0, len(X_tr), n)
    clash = y_tr[neg] == ca
    while clash.any():
        neg[clash] = rng.integers(0, len(X_tr), clash.sum())
        clash = y_tr[neg] == ca
    b = np.where(same, pos, neg)
    return (torch.from_numpy(X_tr[a]), torch.from_numpy(X_tr[b]),
            torch.from_numpy(same.astype(np.float32)))


class Encoder(nn.Module):
    def __init__(self, d_in=64, d_emb=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(),
                                 nn.Linear(128, 64), nn.ReLU(),
                                 nn.Linear(64, d_emb))

    def forward(self, x):
        return F.normalize(self.net(x), dim=1)


def contrastive_loss(za, zb, same, margin=0.8):
    d = (za - zb).pow(2).sum(1).clamp_min(1e-9).sqrt()
    return (same * d.pow(2) + (1 - same) * F.relu(margin - d).pow(2)).mean()


@torch.no_grad()
def knn_accuracy(enc):
    enc.eval()
    ztr = enc(torch.from_numpy(X_tr))
    zte = enc(torch.from_numpy(X_te))
    nn_idx = torch.cdist(zte, ztr).argmin(1).numpy()
    enc.train()
    return float((y_tr[nn_idx] == y_te).mean())


enc = Encoder()
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
# decay the learning rate by 10x every 10 epochs
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)

epochs, steps_per_epoch, bs = 25, 12, 128
print(f"1-NN acc before training: {knn_accuracy(enc):.3f}")
for epoch in range(epochs):
    tot = 0.0
    for _ in range(steps_per_epoch):
        xa, xb, same = make_pairs(bs)
        loss = contrastive_loss(enc(xa), enc(xb), same)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item()
    if epoch % 5 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d}  loss {tot / steps_per_epoch:.4f}  "
              f"lr {opt.param_groups[0]['lr']:.2e}  1-NN acc {knn_accuracy(enc):.3f}")
