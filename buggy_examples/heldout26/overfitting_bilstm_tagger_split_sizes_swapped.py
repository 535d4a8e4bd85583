"""Token-level BiLSTM POS-style tagger (packed sequences, padding, ignore_index in the loss).

Seeded bug (overfitting): `random_split(corpus, [n_val, len(corpus) - n_val])` has the
two lengths in the wrong order, so the model trains on the 15% slice (90 sentences)
and "validates" on the other 510. With a Zipfian vocabulary most validation words are
rare or unseen in training; the BiLSTM memorises the tiny training set (train loss
1.73 -> 0.04, train acc 1.00) while validation loss bottoms out at 1.27 (epoch 10)
and then climbs to 1.74 (val acc stuck at 0.57, 150 optimizer steps).
Fixed copy (lengths swapped back, 510 training sentences): after the same ~150-190
steps (6 epochs) val loss is 0.757 and still falling, val acc 0.766.
"""
# traindebug-expect: overfitting
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, random_split

torch.set_num_threads(1)
random.seed(5)
np.random.seed(5)
torch.manual_seed(5)

PAD, IGNORE = 0, -100


@dataclass
class Cfg:
    vocab: int = 400
    n_tags: int = 6
    n_sent: int = 600
    val_frac: float = 0.15
    emb: int = 32
    hidden: int = 64
    batch: int = 16
    epochs: int = 25
    lr: float = 3e-3


cfg = Cfg()

# synthetic "POS" corpus: Zipfian vocabulary, each word has a home tag; ambiguous words
# take their tag from the previous token's tag (a simple context rule)
rng = np.random.default_rng(5)
home = rng.integers(0, cfg.n_tags, size=cfg.vocab)
ambiguous = rng.random(cfg.vocab) < 0.3
zipf = 1.0 / np.arange(1, cfg.vocab) ** 0.9
zipf /= zipf.sum()


def make_sentence():
    L = rng.integers(5, 21)
    words = rng.choice(np.arange(1, cfg.vocab), size=L, p=zipf)
    tags = []
    for k, w in enumerate(words):
        if ambiguous[w] and k > 0:
            tags.append((tags[-1] + 1 + (w % 2)) % cfg.n_tags)
        else:
            tags.append(home[w])
    tags = np.array(tags)
    noise = rng.random(L) < 0.05
    tags[noise] = rng.integers(0, cfg.n_tags, size=noise.sum())
    return words, tags


class TagCorpus(Dataset):
    def __init__(self, n):
        self.items = [make_sentence() for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        w, t = self.items[i]
        return torch.as_tensor(w), torch.as_tensor(t)


def collate(batch):
    words, tags = zip(*batch)
    lengths = torch.tensor([len(w) for w in words])
    return (pad_sequence(words, batch_first=True, padding_value=PAD),
            pad_sequence(tags, batch_first=True, padding_value=IGNORE), lengths)


class BiLSTMTagger(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.emb = nn.Embedding(c.vocab, c.emb, padding_idx=PAD)
        self.rnn = nn.LSTM(c.emb, c.hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * c.hidden, c.n_tags)

    def forward(self, words, lengths):
        x = self.emb(words)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.rnn(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=words.size(1))
        return self.out(h)


corpus = TagCorpus(cfg.n_sent)
n_val = int(cfg.val_frac * len(corpus))
train_ds, val_ds = random_split(corpus, [n_val, len(corpus) - n_val],
                                generator=torch.Generator().manual_seed(0))
train_dl = DataLoader(train_ds, batch_size=cfg.batch, shuffle=True, collate_fn=collate)
val_dl = DataLoader(val_ds, batch_size=256, collate_fn=collate)

model = BiLSTMTagger(cfg)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
crit = nn.CrossEntropyLoss(ignore_index=IGNORE)


def run_epoch(dl, train):
    model.train(train)
    tot, n_tok, correct = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for words, tags, lengths in dl:
            logits = model(words, lengths)
            loss = crit(logits.reshape(-1, cfg.n_tags), tags.reshape(-1))
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            mask = tags != IGNORE
            k = int(mask.sum())
            tot += loss.item() * k
            n_tok += k
            correct += int((logits.argmax(-1)[mask] == tags[mask]).sum())
    return tot / n_tok, correct / n_tok


for epoch in range(cfg.epochs):
    tr_loss, tr_acc = run_epoch(train_dl, True)
    va_loss, va_acc = run_epoch(val_dl, False)
    if epoch % 5 == 0 or epoch == cfg.epochs - 1:
        print(f"epoch {epoch:2d}  train loss {tr_loss:.3f} acc {tr_acc:.3f} | val loss {va_loss:.3f} acc {va_acc:.3f}")
