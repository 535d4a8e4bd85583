"""Seeded bug (lr_too_high): the packed-sequence GRU classifier is trained with RMSprop at
lr=0.05 (a rate more suited to plain SGD); with RMSprop's per-parameter normalisation
every step moves each weight by roughly lr, far too large for a recurrent net.
Measured (12 epochs, 240 steps): train loss starts at 1.58 (above ln 3 = 1.10) and
bounces around 0.55-0.86, val loss oscillates 0.52-0.92, final val acc 0.772.
With lr=3e-3 the same script reaches train loss 0.045, val loss 0.044, val acc 0.983.
"""
# traindebug-expect: lr_too_high
import random

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(13)
random.seed(13)

VOCAB, PAD = 12, 0


class CountingDataset(Dataset):
    """Variable-length token sequences; label: which of tokens 3/5/7 occurs most often."""

    def __init__(self, n, min_len=5, max_len=40, seed=0):
        rng = random.Random(seed)
        self.items = []
        while len(self.items) < n:
            L = rng.randint(min_len, max_len)
            seq = [rng.randint(1, VOCAB - 1) for _ in range(L)]
            counts = [seq.count(3), seq.count(5), seq.count(7)]
            if sorted(counts)[-1] == sorted(counts)[-2]:
                continue
            self.items.append((torch.tensor(seq), counts.index(max(counts))))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True, padding_value=PAD), lengths, torch.tensor(labels)


class PackedGRUClassifier(nn.Module):
    def __init__(self, emb=16, hidden=48, n_classes=3):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.gru(packed)
        return self.fc(h_n[-1])


class Trainer:
    def __init__(self, model, lr, epochs):
        self.model = model
        self.epochs = epochs
        self.opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.95)
        self.crit = nn.CrossEntropyLoss()
        self.history = []

    def train_epoch(self, loader):
        self.model.train()
        tot, n = 0.0, 0
        for x, lengths, y in loader:
            loss = self.crit(self.model(x, lengths), y)
            self.opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
            self.opt.step()
            tot += loss.item() * len(y)
            n += len(y)
        return tot / n

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        correct, n, tot = 0, 0, 0.0
        for x, lengths, y in loader:
            out = self.model(x, lengths)
            tot += self.crit(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
        return tot / n, correct / n

    def fit(self, train_loader, val_loader):
        for ep in range(1, self.epochs + 1):
            tl = self.train_epoch(train_loader)
            vl, va = self.evaluate(val_loader)
            self.history.append((tl, vl, va))
            if ep % 2 == 0 or ep == 1:
                print(f"epoch {ep:2d}  train_loss {tl:.4f}  val_loss {vl:.4f}  val_acc {va:.3f}")


def main():
    train_ds, val_ds = CountingDataset(1280, seed=1), CountingDataset(400, seed=2)
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=collate,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val_ds, batch_size=200, collate_fn=collate)
    trainer = Trainer(PackedGRUClassifier(), lr=0.05, epochs=12)
    trainer.fit(train_loader, val_loader)


if __name__ == "__main__":
    main()
