"""Siamese hashing network on sklearn digits: a shared tanh MLP encoder maps both images of a
pair to 24-bit relaxed codes tanh(beta * proj(h)); trained with a contrastive (margin) loss on
balanced positive/negative pairs; evaluated by Hamming 1-NN retrieval accuracy with sign codes.

Seeded bug (saturated_units): the continuation schedule for beta is meant to grow per epoch
(beta = beta0 * 1.1 ** epoch, reaching ~2.4), but is computed with the global step counter
(`** step`). After ~30 of the 250 steps beta is in the hundreds and then clamped at 1e4, so the
code units' pre-activations are ~100% beyond |3|; the tanh derivative averages ~3e-5 and the
encoder stops receiving useful gradient while the loss gets worse.

Measured (seed 0): final contrastive loss 7.42, Hamming-1NN test accuracy 0.369;
at the end 99.99% of code pre-activations have |beta*x| > 3, mean tanh' 2.9e-5.
Fixed copy (`** epoch`): loss 0.244, accuracy 0.931, mean tanh' 1.9e-2.
"""
# traindebug-expect: saturated_units
from dataclasses import dataclass
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


@dataclass
class Config:
    code_bits: int = 24
    hidden: int = 96
    margin: float = 6.0
    lr: float = 3e-3
    batch_pairs: int = 96
    epochs: int = 10
    steps_per_epoch: int = 25
    beta0: float = 1.0
    beta_growth: float = 0.1   # continuation: tanh(beta * x) approaches sign(x) during training
    seed: int = 0


class HashEncoder(nn.Module):
    def __init__(self, d_in, hidden, bits):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.proj = nn.Linear(hidden, bits)

    def forward(self, x, beta=1.0):
        return torch.tanh(beta * self.proj(self.body(x)))


class PairSampler:
    """Draws balanced positive / negative pairs from a labelled set."""

    def __init__(self, X, y, rng):
        self.X, self.y, self.rng = X, y, rng
        self.by_class = {c: np.where(y == c)[0] for c in np.unique(y)}
        self.classes = np.array(sorted(self.by_class))

    def sample(self, n):
        a = self.rng.integers(0, len(self.y), n)
        same = self.rng.random(n) < 0.5
        b = np.empty(n, dtype=np.int64)
        for k in range(n):
            ca = self.y[a[k]]
            if same[k]:
                b[k] = self.rng.choice(self.by_class[ca])
            else:
                cb = self.rng.choice(self.classes[self.classes != ca])
                b[k] = self.rng.choice(self.by_class[cb])
        return (torch.from_numpy(self.X[a]), torch.from_numpy(self.X[b]),
                torch.from_numpy(same.astype(np.float32)))


def contrastive_loss(za, zb, same, margin):
    d = (za - zb).pow(2).sum(1).add(1e-8).sqrt()
    return (same * d.pow(2) + (1 - same) * F.relu(margin - d).pow(2)).mean() * 0.5


@torch.no_grad()
def knn_accuracy(enc, Xdb, ydb, Xq, yq):
    cdb = torch.sign(enc(Xdb))
    cq = torch.sign(enc(Xq))
    ham = 0.5 * (cdb.shape[1] - cq @ cdb.T)
    pred = ydb[ham.argmin(1)]
    return (pred == yq).float().mean().item()


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=cfg.seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xte = sc.transform(Xtr).astype(np.float32), sc.transform(Xte).astype(np.float32)
    sampler = PairSampler(Xtr, ytr, rng)

    enc = HashEncoder(64, cfg.hidden, cfg.code_bits)
    opt = torch.optim.Adam(enc.parameters(), lr=cfg.lr)
    tXtr, tXte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    tytr, tyte = torch.from_numpy(ytr), torch.from_numpy(yte)

    step = 0
    for epoch in range(cfg.epochs):
        run = 0.0
        for _ in range(cfg.steps_per_epoch):
            beta = cfg.beta0 * (1.0 + cfg.beta_growth) ** step
            beta = min(beta, 1e4)
            xa, xb, same = sampler.sample(cfg.batch_pairs)
            za, zb = enc(xa, beta), enc(xb, beta)
            loss = contrastive_loss(za, zb, same, cfg.margin)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run += loss.item()
            step += 1
        acc = knn_accuracy(enc, tXtr, tytr, tXte, tyte)
        if epoch % 3 == 0 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch} step {step} beta {beta:.1f} loss {run / cfg.steps_per_epoch:.4f} hamming-1NN acc {acc:.3f}")
    print(f"final hamming-1NN acc {acc:.3f}")


if __name__ == "__main__":
    main()
