"""Vanilla tanh nn.RNN sequence classifier (argparse config, custom Dataset/DataLoader,
RMSprop, grad clipping). Task: do 'up' tokens outnumber 'down' tokens in a 16-token sequence.

Seeded bug (saturated_units): `forward` multiplies the embeddings by sqrt(d_model)
(a Transformer habit) although nn.Embedding is already initialised N(0, 1).  Inputs to the
RNN have std ~7, so at init 55% of the tanh pre-activations have |x| > 3 and 56% of the
hidden outputs have |h| > 0.995 (0% / 0% without the factor).  Gradients through the
saturated tanh units are ~0 and the recurrent state barely learns.

Measured (8 epochs = 256 steps, seed 0): val loss 0.666, val acc 0.614.
Same script without the sqrt(d_model) factor: val loss 0.165, val acc 0.928.
"""
# traindebug-expect: saturated_units
import argparse
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class TokenBalanceDataset(Dataset):
    """Sequences of tokens; label = 1 if 'up' tokens outnumber 'down' tokens."""

    def __init__(self, n, seq_len, vocab, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(1, vocab, (n, seq_len), generator=g)
        up = (self.x <= 3).sum(1)
        down = ((self.x >= 4) & (self.x <= 6)).sum(1)
        self.y = (up > down).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class RNNClassifier(nn.Module):
    def __init__(self, vocab, d_model, hidden, n_classes=2):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(vocab, d_model, padding_idx=0)
        self.rnn = nn.RNN(d_model, hidden, batch_first=True, nonlinearity="tanh")
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, tokens):
        e = self.embed(tokens) * math.sqrt(self.d_model)
        out, h_n = self.rnn(e)
        return self.head(h_n[-1])


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for x, y in loader:
            logits = model(x)
            loss = nn.functional.cross_entropy(logits, y)
            if train:
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
            tot += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return tot / n, correct / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seq-len", type=int, default=16)
    p.add_argument("--vocab", type=int, default=12)
    p.add_argument("--d-model", type=int, default=48)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    train_ds = TokenBalanceDataset(2000, args.seq_len, args.vocab, args.seed)
    val_ds = TokenBalanceDataset(500, args.seq_len, args.vocab, args.seed + 1)
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = RNNClassifier(args.vocab, args.d_model, args.hidden)
    opt = torch.optim.RMSprop(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        va_loss, va_acc = run_epoch(model, val_dl)
        if epoch % 2 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train {tr_loss:.4f}/{tr_acc:.3f}  val {va_loss:.4f}/{va_acc:.3f}")


if __name__ == "__main__":
    main()
