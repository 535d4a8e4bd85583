"""
SimCLR-style contrastive pretraining followed by a linear probe on sklearn digits (8x8, 75/25
stratified split). MLP encoder 64-256-64 + projector, NT-Xent loss (temperature 0.2) on two
augmented views (1-pixel shifts, pixel dropout, noise), Adam lr 1e-3, 8 epochs x 10 batches;
then the frozen encoder's features are standardised and a linear probe is trained with SGD
momentum 0.9 (lr 0.1, 200 steps, batch 128). argparse config, DataLoader for pretraining.

Seeded bug: the probe features are extracted by iterating a DataLoader built with shuffle=True
(copied from the pretraining loader) and concatenated, but they are paired with y_tr in the
original order. Features and labels are therefore randomly misaligned, so the probe's labels
carry no usable signal. Realistic: the loader line was reused from pretraining where shuffling
is correct and, with an unlabeled TensorDataset, nothing reminds the author that order matters.

Measured (seed 0, 1 thread): buggy probe train accuracy 0.172, test loss 2.541, test accuracy
0.056; fixed copy (shuffle=False when extracting features) probe train accuracy 0.964, test loss
0.164, test accuracy 0.951.
"""
# traindebug-expect: label_problem
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--pretrain-epochs", type=int, default=8)
parser.add_argument("--probe-steps", type=int, default=200)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--temperature", type=float, default=0.2)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(args.seed)
np.random.seed(args.seed)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)          # (N, 8, 8) in [0, 1]
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=args.seed, stratify=y)
X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)


def augment(x):
    # random +-1 pixel shift, pixel dropout and gaussian noise
    shifts = torch.randint(-1, 2, (2,))
    x = torch.roll(x, shifts=(int(shifts[0]), int(shifts[1])), dims=(1, 2))
    x = x * (torch.rand_like(x) > 0.15).float()
    return x + 0.05 * torch.randn_like(x)


class Encoder(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(),
                                 nn.Linear(256, dim), nn.ReLU())

    def forward(self, x):
        return self.net(x)


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / tau
    n = z1.shape[0]
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


encoder = Encoder()
projector = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32))
opt = torch.optim.Adam(list(encoder.parameters()) + list(projector.parameters()), lr=1e-3)
loader = DataLoader(TensorDataset(X_tr), batch_size=args.batch_size, shuffle=True, drop_last=True)

print("== contrastive pretraining ==")
for epoch in range(args.pretrain_epochs):
    total = 0.0
    for (xb,) in loader:
        loss = nt_xent(projector(encoder(augment(xb))), projector(encoder(augment(xb))),
                       args.temperature)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    print(f"epoch {epoch + 1}: nt-xent {total / len(loader):.4f}")

# ---- linear probe on frozen features ----
encoder.eval()
loader = DataLoader(TensorDataset(X_tr), batch_size=256, shuffle=True)
with torch.no_grad():
    feats_tr = torch.cat([encoder(xb) for (xb,) in loader])
    feats_te = encoder(X_te)
mu, sd = feats_tr.mean(0), feats_tr.std(0).clamp_min(0.1)
feats_tr, feats_te = (feats_tr - mu) / sd, (feats_te - mu) / sd

probe = nn.Linear(64, 10)
probe_opt = torch.optim.SGD(probe.parameters(), lr=0.1, momentum=0.9)
print("== linear probe ==")
for step in range(1, args.probe_steps + 1):
    idx = torch.randint(0, len(feats_tr), (128,))
    loss = F.cross_entropy(probe(feats_tr[idx]), y_tr[idx])
    probe_opt.zero_grad()
    loss.backward()
    probe_opt.step()
    if step % 50 == 0:
        with torch.no_grad():
            train_acc = (probe(feats_tr).argmax(1) == y_tr).float().mean().item()
            test_logits = probe(feats_te)
            test_loss = F.cross_entropy(test_logits, y_te).item()
            test_acc = (test_logits.argmax(1) == y_te).float().mean().item()
        print(f"probe step {step}: loss {loss.item():.4f}  train acc {train_acc:.3f}  "
              f"test loss {test_loss:.4f}  test acc {test_acc:.3f}")

print(f"final linear-probe test accuracy: {test_acc:.3f}")
