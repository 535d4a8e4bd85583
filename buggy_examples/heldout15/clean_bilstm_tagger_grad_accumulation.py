"""Bidirectional-LSTM sequence tagger (token -> {other, name, titled-name}) on a
synthetic padded corpus, masked cross-entropy (ignore_index on padding), gradient
clipping.

Clean control.  Patterns a naive detector might misread:
  * deliberate gradient accumulation: four micro-batches of 16 sentences are
    backpropagated (loss / ACCUM) before each opt.step(), so .grad is non-zero
    before most backward calls -- but zero_grad() follows every step, and the
    loss is scaled correctly (not missing_zero_grad);
  * padded positions get label -100 and contribute nothing to the loss, so the
    label tensor contains an out-of-range value on purpose;
  * the padding row of the embedding (padding_idx=0) never receives gradient.

Measured (14 epochs, 168 optimizer updates): loss 0.81 -> 0.005, validation
token accuracy 1.000, accuracy on name tokens 1.000.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence

torch.manual_seed(0)
rng = np.random.default_rng(0)
torch.set_num_threads(1)

# ---- synthetic tagging corpus ----------------------------------------------
# tokens 1..59 (0 = PAD); tokens 40..59 are "names"; tokens 1..5 are "titles".
# tag 2 = name preceded by a title, tag 1 = name otherwise, tag 0 = other.
VOCAB, N_TAGS, PAD, IGNORE = 60, 3, 0, -100


def make_sentence():
    n = int(rng.integers(5, 21))
    toks = rng.integers(6, 40, n)
    for _ in range(int(rng.integers(1, 4))):
        p = int(rng.integers(1, n))
        toks[p] = rng.integers(40, 60)
        if rng.random() < 0.5:
            toks[p - 1] = rng.integers(1, 6)
    tags = np.zeros(n, dtype=np.int64)
    for k in range(n):
        if toks[k] >= 40:
            tags[k] = 2 if (k > 0 and toks[k - 1] <= 5) else 1
    return torch.as_tensor(toks), torch.as_tensor(tags)


train = [make_sentence() for _ in range(800)]
valid = [make_sentence() for _ in range(200)]


def collate(items):
    toks = pad_sequence([t for t, _ in items], batch_first=True, padding_value=PAD)
    tags = pad_sequence([g for _, g in items], batch_first=True, padding_value=IGNORE)
    return toks, tags


class BiLSTMTagger(nn.Module):
    def __init__(self, emb=32, hidden=48):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, emb, padding_idx=PAD)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, N_TAGS)

    def forward(self, toks):
        h, _ = self.lstm(self.emb(toks))
        return self.out(h)


def evaluate(model, data):
    model.eval()
    toks, tags = collate(data)
    with torch.no_grad():
        pred = model(toks).argmax(-1)
    mask = tags != IGNORE
    ent = mask & (tags > 0)
    model.train()
    return ((pred == tags) & mask).sum().item() / mask.sum().item(), \
           ((pred == tags) & ent).sum().item() / ent.sum().item()


model = BiLSTMTagger()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss(ignore_index=IGNORE)

MICRO_BS, ACCUM = 16, 4          # effective batch of 64 sentences
n_updates = 0
for epoch in range(14):
    order = rng.permutation(len(train))
    tot, nb = 0.0, 0
    opt.zero_grad()
    for i, s in enumerate(range(0, len(order), MICRO_BS)):
        toks, tags = collate([train[j] for j in order[s:s + MICRO_BS]])
        logits = model(toks)
        loss = crit(logits.reshape(-1, N_TAGS), tags.reshape(-1))
        (loss / ACCUM).backward()
        tot, nb = tot + loss.item(), nb + 1
        if (i + 1) % ACCUM == 0:
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            opt.zero_grad()
            n_updates += 1
    if epoch % 3 == 0 or epoch == 13:
        tok_acc, ent_acc = evaluate(model, valid)
        print(f"epoch {epoch:2d}  loss {tot / nb:.4f}  val token acc {tok_acc:.3f}  val entity acc {ent_acc:.3f}")
print(f"{n_updates} optimizer updates")
