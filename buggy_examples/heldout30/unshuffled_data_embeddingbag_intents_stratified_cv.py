"""Intent classification on synthetic utterances (5 intents, vocabulary 400, 5-15 tokens,
each intent a mixture of a shared and an intent-specific word distribution), exported one
intent after another. Bag-of-embeddings model (nn.EmbeddingBag mean, dim 48) + MLP, SGD with
Nesterov momentum 0.9, lr 0.1, batch 32, 6 epochs per fold (~186 steps), evaluated with
4-fold StratifiedKFold cross-validation (argparse config).

Seeded bug: the author relies on StratifiedKFold(shuffle=True) for shuffling and iterates
over train_idx in order. sklearn returns each fold's indices sorted, and the corpus is stored
intent by intent, so every mini-batch contains a single intent and each epoch walks through
the classes in blocks; momentum SGD chases the current class and ends every epoch biased
towards the last intent.

Measured (fixed copy draws rng.permutation(train_idx) each epoch): CV val accuracy
0.754 +- 0.031 vs 0.854 +- 0.013, CV val loss 0.743 vs 0.504, last-epoch train loss of
fold 3 1.33 vs 0.13 (the buggy run's val loss jumps to 2.1 after some epochs).
"""
# traindebug-expect: unshuffled_data
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.model_selection import StratifiedKFold

parser = argparse.ArgumentParser()
parser.add_argument("--folds", type=int, default=4)
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--emb-dim", type=int, default=48)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB = 400
INTENTS = ["book_flight", "cancel_order", "check_balance", "play_music", "set_alarm"]
N_PER_INTENT = 260


def build_corpus():
    shared = rng.dirichlet(np.full(VOCAB, 0.5))
    docs, labels = [], []
    for k, _ in enumerate(INTENTS):
        topic = rng.dirichlet(np.full(VOCAB, 0.05))
        p = 0.5 * shared + 0.5 * topic
        for _ in range(N_PER_INTENT):
            n = rng.integers(5, 16)
            docs.append(rng.choice(VOCAB, size=n, p=p))
            labels.append(k)
    return docs, np.array(labels)


docs, labels = build_corpus()


def to_bag(idx):
    tokens = [torch.as_tensor(docs[i]) for i in idx]
    offsets = torch.tensor([0] + [len(t) for t in tokens[:-1]]).cumsum(0)
    return torch.cat(tokens), offsets, torch.as_tensor(labels[idx])


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim, n_classes):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, tokens, offsets):
        return self.mlp(self.bag(tokens, offsets))


def train_one_fold(train_idx, val_idx, fold):
    model = BagClassifier(VOCAB, args.emb_dim, len(INTENTS))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    val_tokens, val_offsets, val_y = to_bag(val_idx)
    for epoch in range(args.epochs):
        tot = 0.0
        for s in range(0, len(train_idx), args.batch_size):
            tokens, offsets, y = to_bag(train_idx[s:s + args.batch_size])
            loss = F.cross_entropy(model(tokens, offsets), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(y)
        with torch.no_grad():
            logits = model(val_tokens, val_offsets)
            val_loss = F.cross_entropy(logits, val_y).item()
            val_acc = (logits.argmax(1) == val_y).float().mean().item()
        if epoch % 2 == 1 or epoch == args.epochs - 1:
            print(f"  fold {fold} epoch {epoch + 1}  train loss {tot / len(train_idx):.4f}  "
                  f"val loss {val_loss:.4f}  val acc {val_acc:.3f}")
    return val_loss, val_acc


skf = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
scores = []
for fold, (tr, va) in enumerate(skf.split(np.zeros(len(labels)), labels)):
    scores.append(train_one_fold(tr, va, fold))
losses, accs = zip(*scores)
print(f"CV val loss {np.mean(losses):.4f} +- {np.std(losses):.4f}")
print(f"CV val acc  {np.mean(accs):.3f} +- {np.std(accs):.3f}")
