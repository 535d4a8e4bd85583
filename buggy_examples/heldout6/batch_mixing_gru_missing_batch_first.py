"""Toy sentiment classifier (embedding + GRU) with a custom Dataset and Adam.

Seeded bug (batch_mixing): the tokens are (batch, seq) and the embeddings
(batch, seq, emb), but nn.GRU is built without batch_first=True. The GRU therefore runs
its recurrence across the batch axis (samples 0..i become "time steps") and treats the
24 token positions as independent sequences; out[:, -1, :] then gives, for sample i, a
state that depends on the last tokens of samples 0..i. Each output depends on other
samples in the batch.

Measured (7 epochs, 329 steps): train loss 0.676, val_acc 0.595 (majority class 0.58).
Fixed copy (batch_first=True): train loss 0.036, val_acc 0.983.
"""
# traindebug-expect: batch_mixing
import random

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

VOCAB, SEQ_LEN, N_TRAIN, N_VAL = 50, 24, 3000, 600
NEG_WORDS = {3, 4, 5}      # "not", "never", "no"
POS_WORDS = set(range(10, 20))


def synth_reviews(n, rng):
    """Toy sentiment: label 1 iff #positive words > #positive words following a negator."""
    seqs, labels = [], []
    for _ in range(n):
        s = rng.integers(20, VOCAB, size=SEQ_LEN)
        n_pos = rng.integers(1, 5)
        pos_slots = rng.choice(np.arange(1, SEQ_LEN), size=n_pos, replace=False)
        negated = 0
        for p in pos_slots:
            s[p] = rng.integers(10, 20)
            if rng.random() < 0.5:
                s[p - 1] = rng.choice(sorted(NEG_WORDS))
        for p in range(1, SEQ_LEN):
            if s[p] in POS_WORDS and s[p - 1] in NEG_WORDS:
                negated += 1
        total = sum(1 for t in s if t in POS_WORDS)
        seqs.append(s)
        labels.append(int(total - negated > negated))
    return np.stack(seqs), np.array(labels)


class Reviews(Dataset):
    def __init__(self, tokens, labels):
        self.tokens = torch.as_tensor(tokens, dtype=torch.long)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class GRUClassifier(nn.Module):
    def __init__(self, vocab, emb=32, hidden=64, n_classes=2):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden)
        self.drop = nn.Dropout(0.1)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, tokens):                 # tokens: (batch, seq)
        x = self.emb(tokens)                   # (batch, seq, emb)
        out, _ = self.rnn(x)
        last = out[:, -1, :]
        return self.fc(self.drop(last))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for tok, lab in loader:
            correct += (model(tok).argmax(1) == lab).sum().item()
            total += len(lab)
    return correct / total


def main():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    tr_x, tr_y = synth_reviews(N_TRAIN, rng)
    va_x, va_y = synth_reviews(N_VAL, rng)
    print(f"positive rate train {tr_y.mean():.2f}")
    train_loader = DataLoader(Reviews(tr_x, tr_y), batch_size=64, shuffle=True)
    val_loader = DataLoader(Reviews(va_x, va_y), batch_size=128)

    model = GRUClassifier(VOCAB)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(1, 8):
        model.train()
        run = 0.0
        for tok, lab in train_loader:
            opt.zero_grad()
            loss = crit(model(tok), lab)
            loss.backward()
            opt.step()
            run += loss.item() * len(lab)
        print(f"epoch {epoch}  train_loss {run / N_TRAIN:.4f}  val_acc {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
