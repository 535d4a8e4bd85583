"""Span extraction with start/end pointers over synthetic token sequences.

Model: token embedding + learned positions + query embedding -> two Conv1d(k=5)+ReLU
layers -> linear layer giving a start score and an end score per token.  Every sequence holds up to four typed spans
(an opener token for type t, 1-4 content tokens, a closing token); the query token at
position 0 asks for one type, and the model must point at the first and last content
token of that span.  Adam, lr 3e-3, batch 50, 6 epochs (240 steps), seed 0.

Seeded bug: the pointer loss is `nn.NLLLoss()` applied to the raw per-position scores
(the author wrote a "pointer head" whose outputs look like log-probabilities in papers,
and picked NLLLoss to match).  NLLLoss expects log-softmax outputs; on raw scores it only
pushes the target score up, without pushing the other positions down, so the loss
runs off towards -infinity and the start/end distributions are never normalised.
Correct: nn.CrossEntropyLoss() (or log_softmax before NLLLoss).

Measured (seed 0, 6 epochs): buggy final train loss -2.5e7 (unbounded), test start acc
0.058, exact-span accuracy 0.016; fixed copy (CrossEntropyLoss): final train loss 0.0002,
test start acc 1.000, exact-span accuracy 0.998.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

SEQ_LEN = 24
N_TYPES = 4
PAD, CLOSE, QUERY0 = 0, 1, 2
OPEN0 = QUERY0 + N_TYPES                         # query ids 2..5, opener ids 6..9
CONTENT_LO, VOCAB = OPEN0 + N_TYPES, 60


def make_example():
    toks = rng.integers(CONTENT_LO, VOCAB, size=SEQ_LEN)
    types = rng.permutation(N_TYPES)[: rng.integers(2, N_TYPES + 1)]
    spans = {}
    pos = 2
    for t in types:
        length = int(rng.integers(1, 5))
        pos += int(rng.integers(0, 3))
        if pos + 2 + length >= SEQ_LEN:
            break
        toks[pos] = OPEN0 + t
        toks[pos + length + 1] = CLOSE
        spans[int(t)] = (pos + 1, pos + length)
        pos += length + 2
    q = int(rng.choice(list(spans)))
    toks[0] = QUERY0 + q
    toks[1] = PAD
    s, e = spans[q]
    return toks, s, e


def make_split(n):
    data = [make_example() for _ in range(n)]
    x = torch.tensor(np.stack([d[0] for d in data]), dtype=torch.long)
    s = torch.tensor([d[1] for d in data])
    e = torch.tensor([d[2] for d in data])
    return TensorDataset(x, s, e)


class PointerNet(nn.Module):
    def __init__(self, vocab, dim=48, hidden=64, kernel=5):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(SEQ_LEN, dim)
        self.query = nn.Embedding(vocab, dim)
        self.conv1 = nn.Conv1d(dim, hidden, kernel, padding=kernel // 2)
        self.conv2 = nn.Conv1d(hidden, hidden, kernel, padding=kernel // 2)
        self.pointer = nn.Linear(hidden, 2)

    def forward(self, x):
        positions = torch.arange(x.size(1), device=x.device)
        h = self.tok(x) + self.pos(positions) + self.query(x[:, :1])
        h = torch.relu(self.conv1(h.transpose(1, 2)))
        h = torch.relu(self.conv2(h)).transpose(1, 2)
        scores = self.pointer(h)                      # (B, L, 2)
        return scores[..., 0], scores[..., 1]


def evaluate(model, loader):
    model.eval()
    hit_s = hit_span = n = 0
    with torch.no_grad():
        for x, s, e in loader:
            ps, pe = model(x)
            ps, pe = ps.argmax(1), pe.argmax(1)
            hit_s += (ps == s).sum().item()
            hit_span += ((ps == s) & (pe == e)).sum().item()
            n += len(s)
    model.train()
    return hit_s / n, hit_span / n


train_ds, test_ds = make_split(2000), make_split(500)
train_loader = DataLoader(train_ds, batch_size=50, shuffle=True)
test_loader = DataLoader(test_ds, batch_size=256)

model = PointerNet(VOCAB)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.NLLLoss()

step = 0
for epoch in range(6):
    running = 0.0
    for x, s, e in train_loader:
        start_scores, end_scores = model(x)
        loss = 0.5 * (criterion(start_scores, s) + criterion(end_scores, e))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        step += 1
    start_acc, span_acc = evaluate(model, test_loader)
    print(f"epoch {epoch} step {step} train loss {running / len(train_loader):.4f} "
          f"test start acc {start_acc:.3f} span acc {span_acc:.3f}")

print(f"final test exact-span accuracy: {span_acc:.3f}")
