"""NER-style token tagger (O / PER / LOC / ORG) on a synthetic trigger-word grammar.

Sentences of 20 tokens: filler words, trigger words ("mr", "in", "at", ...) and name
words; a name word is PER / LOC / ORG depending on the trigger in front of it, and the same
name word can take any type.  10% of the tags are annotator noise.  Model: embedding(64)
-> Conv1d(64->128, k=5) + ReLU -> Conv1d(128->128, k=3) + ReLU -> per-token linear
layer, per-token cross-entropy.  Adam lr 3e-3, batch 16, a budget of 300 steps (75 epochs over the 64 sentences used).  Validation
loss/accuracy on 300 held-out sentences after every epoch under torch.no_grad().

Seeded bug: `cfg.debug_subset = 64` -- a subset size the author set while debugging the
pipeline and never reset -- so the model trains on only 64 of the 2,700 training
sentences.  The wide tagger memorises those sentences including their noisy tags:
training loss keeps falling while validation loss bottoms out early and then climbs.
Correct: `debug_subset = None` (use the full training set).

Measured (seed 0): buggy run (64 sentences, 75 epochs, 300 steps): train loss 1.01 ->
0.0001, val loss 0.80 (epoch 0) -> 0.52 (epoch 7) -> 1.147 at the end, val token acc 0.897;
fixed copy (2,700 sentences, 1 epoch = 168 steps under the same step budget): train loss
0.441 (at the 10% label-noise floor), val loss 0.387, val token acc 0.922.
"""
# traindebug-expect: overfitting
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    n_sentences: int = 3000
    seq_len: int = 20
    val_frac: float = 0.1
    debug_subset: Optional[int] = 64
    batch_size: int = 16
    max_steps: int = 300
    lr: float = 3e-3
    tag_noise: float = 0.1
    seed: int = 0


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
rng = np.random.default_rng(cfg.seed)

TAGS = ["O", "PER", "LOC", "ORG"]
TRIGGERS = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3}     # token id -> tag of the next token
N_NAMES, N_FILLER = 150, 200
NAME0 = 7
FILLER0 = NAME0 + N_NAMES
VOCAB = FILLER0 + N_FILLER


def make_sentence():
    toks = rng.integers(FILLER0, VOCAB, size=cfg.seq_len)
    tags = np.zeros(cfg.seq_len, dtype=np.int64)
    for pos in rng.choice(np.arange(0, cfg.seq_len - 1, 3), size=3, replace=False):
        trig = int(rng.integers(1, 7))
        toks[pos] = trig
        toks[pos + 1] = NAME0 + rng.integers(N_NAMES)
        tags[pos + 1] = TRIGGERS[trig]
    # unlabelled name mentions (no trigger) stay O
    free = np.flatnonzero((tags == 0) & (toks >= FILLER0))
    toks[rng.choice(free, size=2, replace=False)] = NAME0 + rng.integers(N_NAMES, size=2)
    noisy = rng.random(cfg.seq_len) < cfg.tag_noise
    tags[noisy] = rng.integers(0, len(TAGS), size=noisy.sum())
    return toks, tags


data = [make_sentence() for _ in range(cfg.n_sentences)]
X = torch.tensor(np.stack([d[0] for d in data]))
Y = torch.tensor(np.stack([d[1] for d in data]))
n_val = int(cfg.val_frac * cfg.n_sentences)
X_val, Y_val = X[:n_val], Y[:n_val]
X_train, Y_train = X[n_val:], Y[n_val:]
if cfg.debug_subset:
    X_train, Y_train = X_train[:cfg.debug_subset], Y_train[:cfg.debug_subset]


class ConvTagger(nn.Module):
    def __init__(self, vocab, n_tags, emb=64, hidden=128):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.conv1 = nn.Conv1d(emb, hidden, 5, padding=2)
        self.conv2 = nn.Conv1d(hidden, hidden, 3, padding=1)
        self.out = nn.Linear(hidden, n_tags)

    def forward(self, x):
        h = self.emb(x).transpose(1, 2)
        h = F.relu(self.conv2(F.relu(self.conv1(h))))
        return self.out(h.transpose(1, 2))


model = ConvTagger(VOCAB, len(TAGS))
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
n_train = len(X_train)
steps_per_epoch = max(1, n_train // cfg.batch_size)
epochs = cfg.max_steps // steps_per_epoch
print(f"train sentences {n_train}, val sentences {n_val}, epochs {epochs}")

step = 0
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(n_train)
    tr_loss = 0.0
    for k in range(steps_per_epoch):
        idx = perm[k * cfg.batch_size:(k + 1) * cfg.batch_size]
        logits = model(X_train[idx])
        loss = F.cross_entropy(logits.reshape(-1, len(TAGS)), Y_train[idx].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tr_loss += loss.item()
        step += 1
    model.eval()
    with torch.no_grad():
        vl = model(X_val)
        val_loss = F.cross_entropy(vl.reshape(-1, len(TAGS)), Y_val.reshape(-1)).item()
        val_acc = (vl.argmax(-1) == Y_val).float().mean().item()
    if epoch % max(1, epochs // 10) == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:3d} step {step} train loss {tr_loss / steps_per_epoch:.4f} "
              f"val loss {val_loss:.4f} val token acc {val_acc:.3f}")

print(f"final: train loss {tr_loss / steps_per_epoch:.4f} val loss {val_loss:.4f} "
      f"val token acc {val_acc:.3f}")
