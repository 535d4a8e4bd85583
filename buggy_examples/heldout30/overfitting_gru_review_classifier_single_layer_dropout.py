"""Review sentiment classifier on synthetic token sequences (vocabulary 40, length 20; the
label depends on the count of 5 positive vs 5 negative words, 10% label noise): 640 training
reviews, 1000 validation reviews. Embedding(32) -> single-layer GRU(96) -> Linear, Adam
lr 3e-3, batch 32, 20 epochs (400 steps); validation loss/accuracy computed under no_grad
after every epoch.

Seeded bug: regularisation is requested with nn.GRU(..., dropout=0.5), but a GRU's dropout
argument only acts between stacked recurrent layers; with num_layers=1 it does nothing (PyTorch
only emits a UserWarning). The over-sized network therefore trains without any regularisation
on a small noisy set and memorises it: train loss goes to ~0.001 while validation loss climbs
from its minimum 0.59 (epoch 3) to 1.60.

Measured (fixed copy applies nn.Dropout(0.5) to the embeddings and to the final hidden state):
final val loss 1.599 vs 0.651 (best 0.590 vs 0.530), val accuracy 0.690 vs 0.714, final train
loss 0.0012 vs 0.409.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, SEQ_LEN = 40, 20
POS_WORDS, NEG_WORDS = np.arange(1, 6), np.arange(6, 11)


def make_reviews(n, label_noise=0.1):
    x = rng.integers(1, VOCAB, size=(n, SEQ_LEN))
    score = np.isin(x, POS_WORDS).sum(1) - np.isin(x, NEG_WORDS).sum(1) + 0.5 * rng.standard_normal(n)
    y = (score > 0).astype(np.int64)
    flip = rng.random(n) < label_noise
    y[flip] = 1 - y[flip]
    return torch.from_numpy(x), torch.from_numpy(y)


# a small hand-labelled set for training, a larger annotated set for validation
X_tr, y_tr = make_reviews(640)
X_va, y_va = make_reviews(1000)


class ReviewGRU(nn.Module):
    def __init__(self, vocab=VOCAB, emb=32, hidden=96, dropout=0.5):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, batch_first=True, dropout=dropout)
        self.fc = nn.Linear(hidden, 2)

    def forward(self, x):
        _, h = self.rnn(self.emb(x))
        return self.fc(h[-1])


model = ReviewGRU()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
history = []
step = 0
for epoch in range(1, 21):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot, correct = 0.0, 0
    for i in range(0, len(X_tr), 32):
        b = perm[i:i + 32]
        logits = model(X_tr[b])
        loss = F.cross_entropy(logits, y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        tot += loss.item() * len(b)
        correct += (logits.argmax(1) == y_tr[b]).sum().item()
    model.eval()
    with torch.no_grad():
        out = model(X_va)
        val_loss = F.cross_entropy(out, y_va).item()
        val_acc = (out.argmax(1) == y_va).float().mean().item()
    history.append(val_loss)
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  step {step}  train loss {tot / len(X_tr):.4f}  "
              f"train acc {correct / len(X_tr):.3f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")

print(f"best val loss {min(history):.4f} at epoch {int(np.argmin(history)) + 1}; "
      f"final val loss {val_loss:.4f}, val acc {val_acc:.3f}")
