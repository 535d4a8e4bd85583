"""Conv1d + bidirectional GRU (CRNN) motif classifier on generated 2-channel sequences.

Seeded bug (overfitting): only 160 training sequences, 20% of them with noisy
labels, a CRNN with ~16k parameters, no dropout / weight decay, and a fixed
48-epoch budget with no early stopping or checkpoint selection: the model
memorises the training set (including the flipped labels) while the held-out
loss (computed in eval mode under torch.no_grad) climbs after epoch ~25 and the
final model is the last, overfit one.
Measured: buggy train loss 0.95 -> 0.023 while val_loss bottoms at ~0.71 and rises
to 1.039 by the end, final val_acc 0.637; fixed (early stopping, patience 5,
restore best weights) stops at epoch 29 with val_loss 0.712, val_acc 0.673.
"""
# traindebug-expect: overfitting
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def make_sequences(n, length=32, noise_rate=0.2, seed=0):
    """Two-channel noisy sequences; class = which of 3 motifs is embedded (random position)."""
    g = np.random.default_rng(seed)
    motifs = np.random.default_rng(99).normal(size=(3, 2, 6)).astype(np.float32)
    X = g.normal(scale=1.0, size=(n, 2, length)).astype(np.float32)
    y = g.integers(0, 3, size=n)
    for i in range(n):
        p = g.integers(0, length - 6)
        X[i, :, p:p + 6] += 1.2 * motifs[y[i]]
    flip = g.random(n) < noise_rate
    y_obs = np.where(flip, g.integers(0, 3, size=n), y)
    return torch.tensor(X), torch.tensor(y_obs).long()


class CRNN(nn.Module):
    def __init__(self, c_in=2, conv_ch=24, hidden=32, n_classes=3):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(c_in, conv_ch, 5, padding=2), nn.ReLU(),
            nn.Conv1d(conv_ch, conv_ch, 3, padding=1), nn.ReLU(),
        )
        self.gru = nn.GRU(conv_ch, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        f = self.conv(x).transpose(1, 2)         # (B, T, C)
        out, _ = self.gru(f)
        return self.fc(out.max(1).values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=48)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--n-train", type=int, default=160)
    args = ap.parse_args()
    torch.manual_seed(0)

    Xtr, ytr = make_sequences(args.n_train, seed=1)
    Xva, yva = make_sequences(300, seed=2, noise_rate=0.0)

    model = CRNN()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    bs = 32
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        tl = []
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tl.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            out = model(Xva)
            vl = F.cross_entropy(out, yva).item()
            va = (out.argmax(1) == yva).float().mean().item()
        if epoch % 6 == 5:
            print(f"epoch {epoch:2d} step {step} train_loss {np.mean(tl):.4f} val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
