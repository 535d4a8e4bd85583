"""
Seeded bug (batch_mixing): character-level GRU language model on a generated
corpus. The GRU is time-major (batch_first=False), and the (batch, time, emb)
embedding tensor is converted with .view(T, B, E) instead of .transpose(0, 1)
(and the GRU output is .view()-ed back the same way). The shapes line up, so
nothing errors, but each "sequence" the GRU sees is stitched together from
pieces of different batch rows, and the prediction for row b, position t is
made from characters of other rows. The model can only learn roughly
unigram/short-context statistics that survive the scrambling.

Measured (this script vs. a copy using .transpose(0, 1) in both places),
250 Adam steps: validation loss plateaus at 1.69 nats/char (about what a
bigram model gets, since each output still sees its own input character)
vs 0.354 nats/char when fixed; unigram entropy of the corpus is 2.85.
d output[b] / d input[b'] is non-zero for b != b'.
"""
# traindebug-expect: batch_mixing
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
random.seed(0)

# ------------------------------------------------ generated "recipe" corpus
subjects = ["the cook", "my aunt", "a chef", "the baker", "our guest", "the kid"]
verbs = ["chops", "stirs", "bakes", "tastes", "slices", "fries", "mixes"]
objects = ["the onions", "some garlic", "a carrot", "the dough", "two eggs",
           "the rice", "fresh basil", "a lemon"]
adverbs = ["slowly", "gently", "quickly", "with care", "twice", "at dawn"]


def sentence():
    s = f"{random.choice(subjects)} {random.choice(verbs)} {random.choice(objects)}"
    if random.random() < 0.6:
        s += " " + random.choice(adverbs)
    if random.random() < 0.3:
        s += f" and {random.choice(verbs)} {random.choice(objects)}"
    return s + ". "


text = "".join(sentence() for _ in range(4000))
chars = sorted(set(text))
stoi = {c: k for k, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
split = int(0.9 * len(data))
train_data, val_data = data[:split], data[split:]
V = len(chars)
counts = torch.bincount(data, minlength=V).float()
unigram_h = -(counts / counts.sum() * torch.log(counts / counts.sum() + 1e-12)).sum()
print(f"corpus {len(text)} chars, vocab {V}, unigram entropy {unigram_h:.3f} nats")

SEQ, BATCH = 32, 32


def get_batch(src, gen=None):
    ix = torch.randint(0, len(src) - SEQ - 1, (BATCH,), generator=gen)
    x = torch.stack([src[j:j + SEQ] for j in ix])
    y = torch.stack([src[j + 1:j + SEQ + 1] for j in ix])
    return x, y


class CharGRU(nn.Module):
    def __init__(self, vocab, emb=24, hidden=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, num_layers=1)   # expects (T, B, E)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):                 # x: (B, T)
        B, T = x.shape
        e = self.embed(x)                 # (B, T, E)
        out, _ = self.rnn(e.view(T, B, -1))
        out = out.view(B, T, -1)
        return self.head(out)             # (B, T, V)


model = CharGRU(V)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)


@torch.no_grad()
def evaluate(n_batches=5):
    model.eval()
    g = torch.Generator().manual_seed(123)
    tot = 0.0
    for _ in range(n_batches):
        x, y = get_batch(val_data, g)
        tot += F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).item()
    model.train()
    return tot / n_batches


STEPS = 250
for step in range(1, STEPS + 1):
    x, y = get_batch(train_data)
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 50 == 0:
        print(f"step {step}  train loss {loss.item():.3f}  val loss {evaluate():.3f}")

val = evaluate()
print(f"final val loss {val:.3f} nats/char ({val / math.log(2):.3f} bits/char)")
