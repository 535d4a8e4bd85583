"""Seeded bug (batch_mixing): the attention-pooling layer of the TCN normalises its
scores with torch.softmax(s, dim=0), i.e. across the batch instead of across time.
Each sample's pooling weights therefore depend on every other sample in the batch
(and on the evaluation batch size).
Measured (10 epochs, 300 steps): buggy val_loss 0.917 / val_acc 0.637, while the
same script with softmax over the time axis (dim=-1) reaches val_loss 0.636 /
val_acc 0.757.
"""
# traindebug-expect: batch_mixing
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(7)
np.random.seed(7)

SEQ_LEN = 80
N_CLASSES = 4
BATCH = 32
EPOCHS = 10


def make_motifs(length=12):
    t = np.linspace(0, 1, length)
    return np.stack([
        np.sin(2 * np.pi * t),
        np.sign(np.sin(4 * np.pi * t)),
        1.0 - 2.0 * t,
        np.exp(-((t - 0.5) ** 2) / 0.02) * 2 - 0.5,
    ]).astype(np.float32)


def synth(n, rng):
    motifs = make_motifs()
    x = rng.normal(0, 0.6, size=(n, 2, SEQ_LEN)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, size=n)
    for i in range(n):
        pos = rng.integers(0, SEQ_LEN - motifs.shape[1])
        ch = rng.integers(0, 2)
        x[i, ch, pos:pos + motifs.shape[1]] += 1.5 * motifs[y[i]]
    return torch.from_numpy(x), torch.from_numpy(y).long()


class CausalConv1d(nn.Conv1d):
    def __init__(self, cin, cout, k, dilation):
        super().__init__(cin, cout, k, dilation=dilation)
        self.left_pad = (k - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self.left_pad, 0)))


class TemporalBlock(nn.Module):
    def __init__(self, cin, cout, k, dilation, dropout=0.1):
        super().__init__()
        self.conv1 = CausalConv1d(cin, cout, k, dilation)
        self.conv2 = CausalConv1d(cout, cout, k, dilation)
        self.drop = nn.Dropout(dropout)
        self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.drop(F.relu(self.conv1(x)))
        h = self.drop(F.relu(self.conv2(h)))
        return F.relu(h + self.skip(x))


class TCNClassifier(nn.Module):
    def __init__(self, cin=2, hidden=20, levels=4, k=3, n_classes=N_CLASSES):
        super().__init__()
        blocks, c = [], cin
        for i in range(levels):
            blocks.append(TemporalBlock(c, hidden, k, dilation=2 ** i))
            c = hidden
        self.tcn = nn.Sequential(*blocks)
        self.score = nn.Conv1d(hidden, 1, 1)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h = self.tcn(x)                          # (B, H, T)
        s = self.score(h).squeeze(1)             # (B, T)
        w = torch.softmax(s, dim=0)              # attention weights over time
        pooled = torch.einsum("bht,bt->bh", h, w)
        return self.head(pooled)


def evaluate(model, x, y, bs=100):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            out = model(x[i:i + bs])
            loss += F.cross_entropy(out, y[i:i + bs], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    model.train()
    return loss / len(x), correct / len(x)


def main():
    rng = np.random.default_rng(0)
    xtr, ytr = synth(960, rng)
    xva, yva = synth(400, rng)
    model = TCNClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * (len(xtr) // BATCH))
    step = 0
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(xtr))
        running = 0.0
        for i in range(0, len(xtr), BATCH):
            idx = perm[i:i + BATCH]
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item()
            step += 1
        vl, va = evaluate(model, xva, yva)
        print(f"epoch {epoch + 1} step {step} train_loss {running / (len(xtr) // BATCH):.4f} "
              f"val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
