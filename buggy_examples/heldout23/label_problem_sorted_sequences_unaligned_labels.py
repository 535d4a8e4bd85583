"""Topic classification of variable-length token sequences: random_split into
train/val, DataLoader with a padding collate_fn, masked mean+max pooled embeddings.

Seeded bug (label_problem): TopicDataset sorts the sequences by length (to reduce
padding) but keeps the labels in their original order, so every sequence is paired
with the label of some other sequence. Labels carry no information about inputs.

Measured (12 epochs, 300 steps): buggy train loss 1.108 -> 1.085, val loss ~1.10,
val acc 0.34 (chance = 1/3, ln 3 = 1.099); fixed copy (labels permuted with the
same order) train loss 1.03 -> 0.28, val loss 0.35, val acc 0.87.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset, DataLoader, random_split

torch.set_num_threads(1)
torch.manual_seed(1)

VOCAB = 40
PAD = 0
N_CLASSES = 3


def synth_corpus(n, rng):
    """Token sequences whose class shifts the token distribution (like topic labels)."""
    base = rng.dirichlet(np.ones(VOCAB - 1) * 0.5)
    topic = [rng.dirichlet(np.ones(VOCAB - 1) * 0.3) for _ in range(N_CLASSES)]
    seqs, labels = [], []
    for _ in range(n):
        c = int(rng.integers(N_CLASSES))
        L = int(rng.integers(6, 48))
        p = 0.75 * base + 0.25 * topic[c]
        toks = rng.choice(VOCAB - 1, size=L, p=p / p.sum()) + 1  # 0 reserved for padding
        seqs.append(torch.as_tensor(toks, dtype=torch.long))
        labels.append(c)
    return seqs, labels


class TopicDataset(Dataset):
    def __init__(self, seqs, labels):
        # keep sequences ordered by length; neighbouring items then have similar
        # lengths which keeps padding small for the eval loader
        self.seqs = sorted(seqs, key=len)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        return self.seqs[i], self.labels[i]


def pad_collate(batch):
    seqs, ys = zip(*batch)
    lengths = torch.as_tensor([len(s) for s in seqs])
    padded = pad_sequence(seqs, batch_first=True, padding_value=PAD)
    return padded, lengths, torch.stack(ys)


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim=32, hidden=64, n_classes=N_CLASSES):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.head = nn.Sequential(nn.Linear(2 * dim, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, tokens, lengths):
        e = self.emb(tokens)                                    # (B, T, D)
        mask = (tokens != PAD).unsqueeze(-1).float()
        mean = (e * mask).sum(1) / lengths.unsqueeze(-1).float()
        mx = e.masked_fill(mask == 0, -1e4).max(1).values
        return self.head(torch.cat([mean, mx], dim=-1))


def evaluate(model, loader, loss_fn):
    model.eval()
    tot, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, lens, y in loader:
            out = model(x, lens)
            tot += loss_fn(out, y).item() * len(y)
            correct += (out.argmax(-1) == y).sum().item()
            n += len(y)
    return tot / n, correct / n


def main():
    rng = np.random.default_rng(7)
    seqs, labels = synth_corpus(2000, rng)
    ds = TopicDataset(seqs, labels)
    g = torch.Generator().manual_seed(0)
    train_ds, val_ds = random_split(ds, [1600, 400], generator=g)
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=pad_collate, generator=g)
    val_dl = DataLoader(val_ds, batch_size=128, shuffle=False, collate_fn=pad_collate)

    model = BagOfEmbeddings(VOCAB)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(12):
        model.train()
        run_loss, seen = 0.0, 0
        for x, lens, y in train_dl:
            loss = loss_fn(model(x, lens), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += loss.item() * len(y)
            seen += len(y)
        vl, va = evaluate(model, val_dl, loss_fn)
        if epoch % 3 == 0 or epoch == 11:
            print(f"[{epoch:02d}] train {run_loss / seen:.4f} | val {vl:.4f} acc {va:.3f}")


if __name__ == "__main__":
    main()
