"""
Seeded bug (unshuffled_data): bag-of-words topic classifier (nn.EmbeddingBag,
mean mode, variable-length documents packed with offsets). The corpus is
built topic by topic (as if read from one file per topic) and the training
loop walks it in file order with a hand-written batcher that never shuffles,
so every mini-batch contains a single topic and each epoch ends with a long
run of the last topic. The classifier keeps drifting towards whichever topic
it saw most recently.

Measured (this script vs. a copy that permutes the indices each epoch), 250
Adam steps (lr 1e-2): per-batch label entropy 0.00 vs 1.58 nats (global
1.61); loss on the final batch 1.67 vs 0.004; test accuracy 0.490 vs 0.900,
with test predictions piled onto a few topics (e.g. 448/1000 "cooking",
0 "tech") instead of ~200 each.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, N_TOPICS = 2000, 5
TOPIC_NAMES = ["sports", "finance", "cooking", "travel", "tech"]
# shared background distribution + a topic-specific boost on a subset of words
background = rng.dirichlet(np.full(VOCAB, 0.3))
topic_dists = []
for t in range(N_TOPICS):
    boost = np.zeros(VOCAB)
    special = rng.choice(VOCAB, 60, replace=False)
    boost[special] = rng.dirichlet(np.ones(60))
    topic_dists.append(0.8 * background + 0.2 * boost)


def make_docs(n_per_topic):
    docs, labels = [], []
    for t in range(N_TOPICS):            # one "file" per topic
        for _ in range(n_per_topic):
            length = rng.integers(8, 40)
            docs.append(rng.choice(VOCAB, size=length, p=topic_dists[t]))
            labels.append(t)
    return docs, np.array(labels)


train_docs, train_y = make_docs(640)
test_docs, test_y = make_docs(200)


def pack(docs):
    tokens = torch.as_tensor(np.concatenate(docs), dtype=torch.long)
    lengths = torch.as_tensor([len(d) for d in docs])
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    return tokens, offsets


class BowClassifier(nn.Module):
    def __init__(self, vocab, dim, n_classes):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.fc = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, tokens, offsets):
        return self.fc(self.bag(tokens, offsets))


model = BowClassifier(VOCAB, 48, N_TOPICS)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)


def batches(n, batch_size):
    idx = np.arange(n)
    for s in range(0, n, batch_size):
        yield idx[s:s + batch_size]


@torch.no_grad()
def accuracy(docs, y):
    model.eval()
    tok, off = pack(docs)
    pred = model(tok, off).argmax(1).numpy()
    model.train()
    return (pred == y).mean()


BATCH, EPOCHS = 64, 5
step = 0
for epoch in range(EPOCHS):
    ent = []
    for idx in batches(len(train_docs), BATCH):
        tok, off = pack([train_docs[k] for k in idx])
        yb = torch.as_tensor(train_y[idx])
        loss = F.cross_entropy(model(tok, off), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        p = np.bincount(train_y[idx], minlength=N_TOPICS) / len(idx)
        ent.append(-(p[p > 0] * np.log(p[p > 0])).sum())
    print(f"epoch {epoch}  last loss {loss.item():.3f}  mean batch label entropy {np.mean(ent):.2f}"
          f"  test acc {accuracy(test_docs, test_y):.3f}")

pred_counts = np.bincount(
    model(*pack(test_docs)).argmax(1).numpy(), minlength=N_TOPICS)
print(f"steps {step}  test predictions per topic {dict(zip(TOPIC_NAMES, pred_counts.tolist()))}")
