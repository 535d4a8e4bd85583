"""Seeded bug (saturated_units): the bag-of-words encoder uses nn.EmbeddingBag(mode="sum") and
feeds the summed N(0,1) embeddings of 40-120 tokens straight into tanh. Pre-activations have
std ~10, and 75% of them have |x| > 3 even after training, so the tanh derivative is ~0 and the
embedding table barely learns; the model memorises through the later layers instead.
Measured (315 Adagrad steps): buggy val loss 1.16 / val acc 0.632; fixed copy (mode="mean",
pre-activation std 0.13, 0% saturated): val loss 0.52 (best 0.49) / val acc 0.855.
"""
# traindebug-expect: saturated_units
import random

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

SEED = 5
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
torch.set_num_threads(1)

VOCAB, N_TOPICS, N_DOCS = 600, 5, 2400


class SyntheticDocs(Dataset):
    """Bag-of-words documents; each topic over-samples its own slice of the vocabulary."""

    def __init__(self, n_docs, rng):
        self.docs, self.labels = [], []
        topic_words = np.array_split(np.arange(100, VOCAB), N_TOPICS)
        for _ in range(n_docs):
            topic = rng.integers(N_TOPICS)
            length = rng.integers(40, 120)
            n_topic = rng.binomial(length, 0.15)
            common = rng.integers(0, VOCAB, size=length - n_topic)
            special = rng.choice(topic_words[topic], size=n_topic)
            toks = np.concatenate([common, special])
            rng.shuffle(toks)
            self.docs.append(torch.from_numpy(toks).long())
            self.labels.append(int(topic))

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        return self.docs[i], self.labels[i]


def collate_bags(batch):
    docs, labels = zip(*batch)
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]]).cumsum(0)
    return torch.cat(docs), offsets, torch.tensor(labels)


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim=64, hidden=64, n_classes=N_TOPICS):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="sum")
        self.proj = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, tokens, offsets):
        h = torch.tanh(self.bag(tokens, offsets))
        h = torch.tanh(self.proj(h))
        return self.out(h)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    loss = 0.0
    with torch.no_grad():
        for toks, offs, y in loader:
            logits = model(toks, offs)
            loss += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
    return loss / total, correct / total


rng = np.random.default_rng(SEED)
full = SyntheticDocs(N_DOCS, rng)
train_set, val_set = torch.utils.data.random_split(full, [2000, 400], generator=torch.Generator().manual_seed(SEED))
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, collate_fn=collate_bags)
val_loader = DataLoader(val_set, batch_size=200, collate_fn=collate_bags)

model = BagClassifier(VOCAB)
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.05)
criterion = nn.CrossEntropyLoss()

for epoch in range(5):
    model.train()
    running, seen = 0.0, 0
    for toks, offs, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(toks, offs), y)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(y)
        seen += len(y)
    vloss, vacc = evaluate(model, val_loader)
    print(f"epoch {epoch + 1}: train_loss {running / seen:.4f}  val_loss {vloss:.4f}  val_acc {vacc:.3f}")
