"""
Topic classification of synthetic bag-of-words documents (6 topics, vocabulary 1500, 15-50 tokens,
~25 % topic keywords) with nn.EmbeddingBag(mode="mean", dim 64) -> Linear-ReLU-Linear; a Dataset
with a flat-tokens + offsets collate_fn, DataLoader batch 32, 3 epochs = 225 steps, Adagrad.

Seeded bug: the optimizer was switched to Adagrad but the learning rate in the hyper-parameter
dict stayed at Adam's 1e-3. Adagrad divides by the root of the *accumulated* squared gradients,
so its effective step shrinks from ~lr and useful rates are 1e-2..1e-1; at 1e-3 the embedding
table and classifier barely move and the model stays near chance.

Measured (seed 0, 1 thread): buggy final test loss 1.7698, test accuracy 0.283 (train 0.310,
chance 0.167, ln 6 = 1.792). Fixed copy (Adagrad lr 0.05): test loss 0.2452, accuracy 0.933.
"""
# traindebug-expect: lr_too_low
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)

N_TOPICS, VOCAB = 6, 1500
HPARAMS = {"embed_dim": 64, "batch_size": 32, "epochs": 3, "lr": 1e-3}


class TopicDocs(Dataset):
    """Synthetic news snippets: each topic over-uses its own 60 keywords on top of common words."""

    def __init__(self, n_docs, seed):
        rng = np.random.default_rng(seed)
        base = rng.dirichlet(np.full(VOCAB, 0.3))
        self.docs, self.labels = [], []
        for _ in range(n_docs):
            topic = rng.integers(N_TOPICS)
            length = rng.integers(15, 50)
            n_kw = rng.binomial(length, 0.25)
            keywords = 100 + topic * 60 + rng.integers(60, size=n_kw)
            filler = rng.choice(VOCAB, size=length - n_kw, p=base)
            toks = rng.permutation(np.concatenate([keywords, filler]))
            self.docs.append(torch.from_numpy(toks).long())
            self.labels.append(int(topic))

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        return self.docs[i], self.labels[i]


def collate(batch):
    docs, labels = zip(*batch)
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]]).cumsum(0)
    return torch.cat(docs), offsets, torch.tensor(labels)


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim, n_classes):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.fc = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, n_classes))

    def forward(self, tokens, offsets):
        return self.fc(self.bag(tokens, offsets))


def evaluate(model, loader):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for toks, offs, y in loader:
            out = model(toks, offs)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
    return loss / n, correct / n


train_ds, test_ds = TopicDocs(2400, seed=1), TopicDocs(600, seed=2)
train_dl = DataLoader(train_ds, batch_size=HPARAMS["batch_size"], shuffle=True, collate_fn=collate)
test_dl = DataLoader(test_ds, batch_size=256, collate_fn=collate)

model = BagOfEmbeddings(VOCAB, HPARAMS["embed_dim"], N_TOPICS)
optimizer = torch.optim.Adagrad(model.parameters(), lr=HPARAMS["lr"])

step = 0
for epoch in range(HPARAMS["epochs"]):
    model.train()
    for toks, offs, y in train_dl:
        loss = F.cross_entropy(model(toks, offs), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        if step % 75 == 0:
            print(f"step {step} batch_loss {loss.item():.4f}")
    tr_loss, tr_acc = evaluate(model, train_dl)
    te_loss, te_acc = evaluate(model, test_dl)
    print(f"epoch {epoch + 1}: train_loss {tr_loss:.4f} train_acc {tr_acc:.3f} "
          f"test_loss {te_loss:.4f} test_acc {te_acc:.3f}")

print(f"final test loss {te_loss:.4f} accuracy {te_acc:.3f}")
