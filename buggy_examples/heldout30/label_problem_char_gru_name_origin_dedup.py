"""Name-origin classifier: a character GRU (embedding 32, hidden 64, packed padded sequences)
predicts which of 4 synthetic "languages" (different character Markov chains) a surname
comes from. 4000 raw (name, origin) rows, duplicates removed, 80/20 split, DataLoader with a
padding collate, Adam lr 5e-3, batch 32, 4 epochs (336 steps), cross-entropy.

Seeded bug: duplicates are removed from the name list only
(`names = list(dict.fromkeys(names))`) and the names are zipped with the untouched label
list afterwards. zip() silently truncates, and after the first duplicate every name is paired
with the label of a different row, so labels are shifted by a growing offset and carry
essentially no information about the name (train and validation alike). A realistic
data-cleaning slip: deduplicating one column of what used to be a table.

Measured (fixed copy deduplicates (name, label) pairs): final val loss 1.406 vs 0.298,
val accuracy 0.285 vs 0.893 (chance 0.25); train loss stays at 1.37 (ln 4 = 1.386) vs 0.18.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

LETTERS = "abcdefghijklmnopqrstuvwxyz"
N_LANG = 4
N_NAMES = 4000
PAD = 0


def make_language(seed):
    r = np.random.default_rng(seed)
    start = r.dirichlet(np.full(26, 0.3))
    trans = r.dirichlet(np.full(26, 0.15), size=26)
    return start, trans


LANGS = [make_language(100 + k) for k in range(N_LANG)]


def sample_name(lang):
    start, trans = LANGS[lang]
    n = rng.integers(3, 7)
    c = rng.choice(26, p=start)
    s = [c]
    for _ in range(n - 1):
        c = rng.choice(26, p=trans[c])
        s.append(c)
    return "".join(LETTERS[i] for i in s)


# raw "scraped" list of (name, origin), as it would come from a CSV
origins = rng.integers(0, N_LANG, N_NAMES)
names = [sample_name(o) for o in origins]
labels = origins.tolist()

# the same surname appears many times in the registry; keep one copy of each
names = list(dict.fromkeys(names))
records = list(zip(names, labels))
print(f"{N_NAMES} raw rows -> {len(records)} unique names")

perm = rng.permutation(len(records))
records = [records[i] for i in perm]
n_val = len(records) // 5
val_records, train_records = records[:n_val], records[n_val:]


class NameDataset(Dataset):
    def __init__(self, recs):
        self.recs = recs

    def __len__(self):
        return len(self.recs)

    def __getitem__(self, i):
        name, lang = self.recs[i]
        return torch.tensor([LETTERS.index(ch) + 1 for ch in name]), lang


def collate(batch):
    seqs, ys = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True, padding_value=PAD), lengths, torch.tensor(ys)


class CharGRU(nn.Module):
    def __init__(self, n_chars=27, emb=32, hidden=64, n_out=N_LANG):
        super().__init__()
        self.emb = nn.Embedding(n_chars, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_out)

    def forward(self, x, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                                   enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1])


train_dl = DataLoader(NameDataset(train_records), batch_size=32, shuffle=True, collate_fn=collate)
val_dl = DataLoader(NameDataset(val_records), batch_size=256, collate_fn=collate)

model = CharGRU()
opt = torch.optim.Adam(model.parameters(), lr=5e-3)


@torch.no_grad()
def evaluate(dl):
    model.eval()
    tot, correct, n = 0.0, 0, 0
    for x, lens, y in dl:
        logits = model(x, lens)
        tot += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    model.train()
    return tot / n, correct / n


step = 0
for epoch in range(1, 5):
    run = 0.0
    for x, lens, y in train_dl:
        loss = F.cross_entropy(model(x, lens), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item()
        step += 1
    val_loss, val_acc = evaluate(val_dl)
    print(f"epoch {epoch}  steps {step}  train loss {run / len(train_dl):.4f}  "
          f"val loss {val_loss:.4f}  val acc {val_acc:.3f}")

print(f"final val loss {val_loss:.4f}  val acc {val_acc:.3f}")
