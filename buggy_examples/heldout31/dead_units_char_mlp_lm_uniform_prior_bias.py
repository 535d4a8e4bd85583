"""Character-level MLP language model (Bengio/makemore style) on a synthetic corpus of 3000
syllable-built pseudo-words: 3-char context -> Embedding(16) -> Linear 48->128 ReLU -> 128->128 ReLU ->
vocab logits, cross-entropy, Adam lr 3e-3, batch 256, 300 steps, validation loss on held-out words.

Seeded bug: to start the model at the uniform distribution over characters the author sets biases to
-log(VOCAB) = -3.3 inside the init function passed to model.apply(), so it hits every nn.Linear, not just
the output layer. With Kaiming weights the hidden pre-activations spread ~1.4 around -3.3: ~99% of the first
layer's ReLUs and all of the second layer's are negative for every input from step 0, and they never recover.

Measured: final val loss 2.887 nats/char (train 2.900, ~unigram level) with the bug versus val 1.449
(train 1.385) for a fixed copy that puts -log(VOCAB) on the output bias only. Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: dead_units
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
random.seed(0)

# ---- tiny synthetic corpus: pseudo-words built from syllables ----
SYLLABLES = ["ka", "to", "ri", "mel", "an", "so", "bu", "ne", "ta", "lo", "vi", "ra",
             "qu", "ish", "or", "de", "zy", "pe", "gho", "un"]
words = []
for _ in range(3000):
    n = random.choice([2, 2, 3, 3, 4])
    words.append("".join(random.choice(SYLLABLES) for _ in range(n)))

chars = sorted(set("".join(words)))
stoi = {c: i + 1 for i, c in enumerate(chars)}
stoi["."] = 0
VOCAB = len(stoi)
BLOCK = 3


def build(ws):
    X, Y = [], []
    for w in ws:
        ctx = [0] * BLOCK
        for ch in w + ".":
            ix = stoi[ch]
            X.append(ctx)
            Y.append(ix)
            ctx = ctx[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


random.shuffle(words)
n_tr = int(0.9 * len(words))
Xtr, Ytr = build(words[:n_tr])
Xva, Yva = build(words[n_tr:])
print(f"vocab={VOCAB} train examples={len(Xtr)} val examples={len(Xva)}")


class CharMLP(nn.Module):
    def __init__(self, vocab, block, emb_dim=16, hidden=128):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb_dim)
        self.net = nn.Sequential(
            nn.Linear(block * emb_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, vocab),
        )

    def forward(self, idx):
        return self.net(self.emb(idx).flatten(1))


def init_weights(m):
    # start every output at the uniform distribution over characters
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.constant_(m.bias, -math.log(VOCAB))


model = CharMLP(VOCAB, BLOCK)
model.apply(init_weights)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

steps, bs = 300, 256
for step in range(1, steps + 1):
    ix = torch.randint(0, len(Xtr), (bs,))
    logits = model(Xtr[ix])
    loss = F.cross_entropy(logits, Ytr[ix])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 75 == 0:
        with torch.no_grad():
            val = F.cross_entropy(model(Xva), Yva).item()
        print(f"step {step:4d}  train loss {loss.item():.4f}  val loss {val:.4f}")

with torch.no_grad():
    tr = F.cross_entropy(model(Xtr), Ytr).item()
    va = F.cross_entropy(model(Xva), Yva).item()
print(f"final train loss {tr:.4f}  val loss {va:.4f} nats/char")
