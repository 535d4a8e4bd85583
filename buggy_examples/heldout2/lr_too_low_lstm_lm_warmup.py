"""Seeded bug: an LSTM language model (tied input/output embeddings) on text
generated from a small stochastic grammar, with a linear warmup written as
LambdaLR(lambda step: min(1, step / warmup_steps)) where warmup_steps=20000
was copied from a large-corpus config. In a 300-step run the rate never gets
above 1.5 % of its target; the loss stays at ~3.3 (ln V) while the same
script with warmup_steps=50 reaches ~0.8 (measured)."""
# traindebug-expect: lr_too_low
import random

import torch
from torch import nn

VOCAB = "abcdefghijklmnopqrstuvwxyz ."


def generate_corpus(n_chars, seed=0):
    """Words from a small lexicon joined into sentences: predictable character statistics."""
    rnd = random.Random(seed)
    words = ["the", "cat", "sat", "on", "mat", "dog", "ran", "to", "a", "big", "red", "house", "and", "then"]
    text = []
    while sum(map(len, text)) < n_chars:
        text.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 8))) + ". ")
    return "".join(text)[:n_chars]


class CharLM(nn.Module):
    def __init__(self, vocab, dim=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, dim, num_layers=1, batch_first=True)
        self.decoder = nn.Linear(dim, vocab)
        self.decoder.weight = self.embed.weight  # weight tying
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return self.decoder(h)


torch.manual_seed(0)
text = generate_corpus(60000)
ids = torch.tensor([VOCAB.index(c) for c in text])
model = CharLM(len(VOCAB))
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
warmup_steps = 20000  # BUG: copied from a config for a run of 500k steps
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup_steps))
seq, batch = 32, 32
for step in range(300):
    starts = torch.randint(0, len(ids) - seq - 1, (batch,))
    chunk = torch.stack([ids[s : s + seq + 1] for s in starts])
    logits = model(chunk[:, :-1])
    loss = nn.functional.cross_entropy(logits.reshape(-1, len(VOCAB)), chunk[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 50 == 0:
        print(step, round(loss.item(), 3))
