"""
Seeded bug: ``nn.MultiheadAttention`` is constructed with the default
``batch_first=False`` while the rest of the model (embedding, LayerNorm,
pooling, data loader) works with (batch, seq, dim) tensors.  The attention
layer therefore treats the *batch* axis as the sequence axis: every position
of every example attends to the same position in the other examples of the
mini-batch, and never to the other tokens of its own sequence.  Predictions
for one example depend on which other examples share its batch.

Measured (seed 0, 378 Adam steps): with the bug the loss never leaves chance
level (final train 0.695 / val 0.697, val accuracy 0.492); with
batch_first=True the same run reaches train 0.070 / val 0.057 and val
accuracy 0.968.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

VOCAB = 16
SEQ_LEN = 12


def make_lookup_task(n, rng):
    """First token is a query; label = does the query occur again later in the sequence."""
    seqs = rng.integers(1, VOCAB, size=(n, SEQ_LEN))
    labels = rng.integers(0, 2, size=n)
    for i in range(n):
        q = seqs[i, 0]
        rest = seqs[i, 1:]
        if labels[i] == 1:
            if not (rest == q).any():
                rest[rng.integers(0, SEQ_LEN - 1)] = q
        else:
            mask = rest == q
            while mask.any():
                rest[mask] = rng.integers(1, VOCAB, size=mask.sum())
                mask = rest == q
    return torch.as_tensor(seqs, dtype=torch.long), torch.as_tensor(labels, dtype=torch.long)


class QueryAttentionClassifier(nn.Module):
    def __init__(self, vocab, seq_len, d_model=32, n_heads=4, n_classes=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(1, seq_len, d_model) * 0.02)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.0)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, 64), nn.ReLU(), nn.Linear(64, d_model))
        self.norm2 = nn.LayerNorm(d_model)
        self.cls = nn.Linear(d_model, n_classes)

    def forward(self, tokens):
        h = self.tok(tokens) + self.pos[:, : tokens.size(1)]
        a, _ = self.attn(h, h, h, need_weights=False)
        h = self.norm1(h + a)
        h = self.norm2(h + self.ff(h))
        return self.cls(h[:, 0])


class EarlyStopping:
    def __init__(self, patience=3):
        self.best = float("inf")
        self.bad = 0
        self.patience = patience

    def __call__(self, val_loss):
        if val_loss < self.best - 1e-4:
            self.best, self.bad = val_loss, 0
        else:
            self.bad += 1
        return self.bad >= self.patience


class Trainer:
    def __init__(self, model, lr=2e-3, epochs=5, callbacks=()):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.epochs = epochs
        self.callbacks = list(callbacks)
        self.history = []

    def _run_epoch(self, loader):
        self.model.train()
        total, n = 0.0, 0
        for x, y in loader:
            loss = F.cross_entropy(self.model(x), y)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(y)
            n += len(y)
        return total / n

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        total, correct, n = 0.0, 0, 0
        for x, y in loader:
            logits = self.model(x)
            total += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(-1) == y).sum().item()
            n += len(y)
        return total / n, correct / n

    def fit(self, train_loader, val_loader):
        for epoch in range(self.epochs):
            tr = self._run_epoch(train_loader)
            vl, va = self.evaluate(val_loader)
            self.history.append((tr, vl, va))
            print(f"[{epoch + 1}/{self.epochs}] train {tr:.3f} | val {vl:.3f} acc {va:.3f}")
            if any(cb(vl) for cb in self.callbacks):
                print("early stop")
                break
        return self.history


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    x_tr, y_tr = make_lookup_task(4000, rng)
    x_va, y_va = make_lookup_task(1000, rng)
    train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_va, y_va), batch_size=250)

    model = QueryAttentionClassifier(VOCAB, SEQ_LEN)
    Trainer(model, lr=3e-3, epochs=6, callbacks=[EarlyStopping(3)]).fit(train_loader, val_loader)


if __name__ == "__main__":
    main()
