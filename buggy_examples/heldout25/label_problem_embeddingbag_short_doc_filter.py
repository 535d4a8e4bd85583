"""Topic classifier (nn.EmbeddingBag, mean pooling) on generated token-id documents.

Seeded bug (label_problem): documents shorter than MIN_TOKENS are filtered out of
`raw_docs`, but `labels` is still the unfiltered `raw_topics` list; zip() in the
Dataset silently truncates, so after the first dropped document (~6% are dropped)
every label belongs to a different document. Labels carry no signal about inputs.
Measured: train loss only falls by memorisation (1.39 -> 0.16 over 235 steps) while
val accuracy stays at chance, 0.240 (chance 0.25). Fixed copy (labels filtered with
the same predicate): val accuracy 0.933 after the same 235 steps.
"""
# traindebug-expect: label_problem
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
random.seed(7)
np.random.seed(7)
torch.manual_seed(7)

VOCAB = 3000
N_TOPICS = 4
MIN_TOKENS = 6
TOPIC_WORDS = {t: list(range(200 + 120 * t, 320 + 120 * t)) for t in range(N_TOPICS)}


def synth_corpus(n_docs):
    """Bag-of-words documents: mostly background words plus a few topic words."""
    docs, topics = [], []
    for _ in range(n_docs):
        t = random.randrange(N_TOPICS)
        length = int(np.clip(np.random.lognormal(3.0, 0.8), 1, 120))
        toks = []
        for _ in range(length):
            if random.random() < 0.25:
                toks.append(random.choice(TOPIC_WORDS[t]))
            else:
                toks.append(random.randrange(2, VOCAB))
        docs.append(toks)
        topics.append(t)
    return docs, topics


raw_docs, raw_topics = synth_corpus(4000)

# very short snippets are mostly noise -> drop them before building the dataset
docs = [d for d in raw_docs if len(d) >= MIN_TOKENS]
labels = raw_topics


class BagDataset(Dataset):
    def __init__(self, docs, labels):
        self.items = list(zip(docs, labels))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate_bags(batch):
    toks, offsets, ys = [], [0], []
    for d, y in batch:
        toks.extend(d)
        offsets.append(offsets[-1] + len(d))
        ys.append(y)
    return (torch.tensor(toks, dtype=torch.long),
            torch.tensor(offsets[:-1], dtype=torch.long),
            torch.tensor(ys, dtype=torch.long))


full = BagDataset(docs, labels)
n_val = len(full) // 5
train_set, val_set = torch.utils.data.random_split(
    full, [len(full) - n_val, n_val], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(train_set, batch_size=64, shuffle=True, collate_fn=collate_bags)
val_loader = DataLoader(val_set, batch_size=256, shuffle=False, collate_fn=collate_bags)


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim, n_cls):
        super().__init__()
        self.emb = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.head = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, n_cls))
        nn.init.uniform_(self.emb.weight, -0.1, 0.1)

    def forward(self, tokens, offsets):
        return self.head(self.emb(tokens, offsets))


model = BagClassifier(VOCAB, 48, N_TOPICS)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)


@torch.no_grad()
def accuracy(loader):
    model.eval()
    hit = tot = 0
    for tok, off, y in loader:
        hit += (model(tok, off).argmax(1) == y).sum().item()
        tot += len(y)
    model.train()
    return hit / tot


step = 0
for epoch in range(5):
    run = 0.0
    for tok, off, y in train_loader:
        loss = F.cross_entropy(model(tok, off), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item()
        step += 1
    print(f"epoch {epoch} step {step} train_loss {run / len(train_loader):.4f} "
          f"val_acc {accuracy(val_loader):.3f}")

print(f"final val_acc {accuracy(val_loader):.3f} (chance {1 / N_TOPICS:.2f})")
