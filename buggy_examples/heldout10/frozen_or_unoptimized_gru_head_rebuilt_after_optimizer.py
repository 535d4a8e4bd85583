"""GRU classifier for noisy 1-D waveforms (5 signal families), Adam + StepLR,
hand-written batching loop, 10 epochs x 20 batches = 200 steps.

Seeded bug (frozen_or_unoptimized): the optimizer (and scheduler) are created from
model.parameters() and only afterwards `model.set_num_classes(5)` replaces the 2-class
default head with a new nn.Sequential.  The new head's parameters receive gradients every
step but are not in the optimizer, so they keep their random init; only the GRU learns.

Measured (seed 0): val loss 1.307, val acc 0.463.
Same script with set_num_classes called before building the optimizer: val loss 0.359,
val acc 0.885.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn


def make_waveforms(n, length, seed):
    """Noisy 1-D signals from 5 families (sine, square, sawtooth, chirp, decaying burst)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    X = np.empty((n, length), dtype=np.float32)
    y = rng.integers(0, 5, n)
    for i, c in enumerate(y):
        f = rng.uniform(2, 5)
        ph = rng.uniform(0, 2 * np.pi)
        if c == 0:
            s = np.sin(2 * np.pi * f * t + ph)
        elif c == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        elif c == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
        elif c == 3:
            s = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
        else:
            s = np.exp(-4 * t) * np.sin(2 * np.pi * 2 * f * t + ph) * 2
        X[i] = s + 0.3 * rng.standard_normal(length)
    return torch.from_numpy(X).unsqueeze(-1), torch.from_numpy(y)


class SeqClassifier(nn.Module):
    def __init__(self, hidden=32, n_classes=2):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def set_num_classes(self, n_classes):
        hidden = self.gru.hidden_size
        if self.head[-1].out_features != n_classes:
            self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def main():
    torch.manual_seed(0)
    X_tr, y_tr = make_waveforms(1000, 24, seed=0)
    X_va, y_va = make_waveforms(400, 24, seed=1)

    model = SeqClassifier(hidden=32)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=80, gamma=0.5)
    model.set_num_classes(int(y_tr.max()) + 1)
    crit = nn.CrossEntropyLoss()

    step, batch = 0, 50
    for epoch in range(10):
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(X_tr), batch):
            idx = perm[i:i + batch]
            loss = crit(model(X_tr[idx]), y_tr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
        model.eval()
        with torch.no_grad():
            out = model(X_va)
            va_loss, va_acc = crit(out, y_va).item(), (out.argmax(1) == y_va).float().mean().item()
        model.train()
        print(f"epoch {epoch + 1} step {step:3d} train_loss {loss.item():.4f} val_loss {va_loss:.4f} val_acc {va_acc:.3f}")


if __name__ == "__main__":
    main()
