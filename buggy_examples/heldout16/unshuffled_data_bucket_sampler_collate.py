"""Bag-of-embeddings topic classifier for variable-length token sequences, with a custom
length-bucketing batch sampler and a padding collate function that builds a mask.

Seeded bug (unshuffled_data): the BucketBatchSampler sorts documents by length and
yields the batches in that same order every epoch. Document length depends on the
topic, so each epoch walks through the classes one after another (batches are almost
single-class) and the model keeps drifting toward the most recent topic.

Measured (4 epochs, 376 Adam steps): final train loss 1.11, test acc 0.62. Fixed copy
(batch order permuted each epoch): train loss 0.30, test acc 0.90.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader, Sampler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

VOCAB = 200
N_TOPICS = 5


def make_corpus(n, rng, topic_dists):
    seqs, labels = [], []
    for _ in range(n):
        c = rng.randint(N_TOPICS)
        # longer documents for later topics (e.g. reports vs. short notes)
        length = int(np.clip(rng.normal(12 + 10 * c, 4), 4, 80))
        toks = rng.choice(VOCAB, size=length, p=topic_dists[c])
        seqs.append(toks)
        labels.append(c)
    return seqs, labels


rng = np.random.RandomState(0)
base = rng.dirichlet(np.ones(VOCAB) * 0.5)
topic_dists = []
for c in range(N_TOPICS):
    d = base.copy()
    d[rng.choice(VOCAB, 15, replace=False)] += 0.02
    topic_dists.append(d / d.sum())
train_seqs, train_labels = make_corpus(3000, rng, topic_dists)
test_seqs, test_labels = make_corpus(800, rng, topic_dists)


class DocDataset(Dataset):
    def __init__(self, seqs, labels):
        self.seqs, self.labels = seqs, labels

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        return torch.tensor(self.seqs[i], dtype=torch.long), self.labels[i]


class BucketBatchSampler(Sampler):
    """Groups documents of similar length so that batches need little padding."""

    def __init__(self, lengths, batch_size):
        self.order = np.argsort(lengths, kind="stable")
        self.batch_size = batch_size

    def __iter__(self):
        batches = [self.order[i:i + self.batch_size].tolist()
                   for i in range(0, len(self.order), self.batch_size)]
        for b in batches:
            yield b

    def __len__(self):
        return (len(self.order) + self.batch_size - 1) // self.batch_size


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    padded = torch.zeros(len(seqs), int(lengths.max()), dtype=torch.long)
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
    mask = torch.arange(padded.shape[1])[None, :] < lengths[:, None]
    return padded, mask, torch.tensor(labels)


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim=32, n_classes=N_TOPICS):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, tokens, mask):
        e = self.emb(tokens) * mask[..., None]
        pooled = e.sum(1) / mask.sum(1, keepdim=True)
        return self.mlp(pooled)


train_ds = DocDataset(train_seqs, train_labels)
test_ds = DocDataset(test_seqs, test_labels)
train_loader = DataLoader(train_ds, batch_sampler=BucketBatchSampler([len(s) for s in train_seqs], 32),
                          collate_fn=pad_collate)
test_loader = DataLoader(test_ds, batch_size=200, collate_fn=pad_collate)

model = BagOfEmbeddings(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(4):
    model.train()
    tot, nb = 0.0, 0
    for tokens, mask, yb in train_loader:
        loss = F.cross_entropy(model(tokens, mask), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item(); nb += 1
    model.eval()
    correct = 0
    with torch.no_grad():
        for tokens, mask, yb in test_loader:
            correct += (model(tokens, mask).argmax(1) == yb).sum().item()
    print(f"epoch {epoch} train loss {tot / nb:.3f} test acc {correct / len(test_ds):.3f}")
