"""Seeded bug: a word-level GRU language model with tied input/output
embeddings (dim 256) on generated sentences. nn.Embedding's default N(0, 1)
init is kept for the shared matrix (the usual uniform(-0.1, 0.1) line was
dropped when tying was added), so the output logits have a spread of ~10:
the initial loss is ~10 instead of ln(V) = 3.5, and after 300 steps the loss
is ~1.25-1.3 vs ~1.02 with the small init (measured)."""
# traindebug-expect: bad_init_scale
import random

import torch
from torch import nn

rnd = random.Random(0)
subjects = ["the cat", "a dog", "my friend", "the teacher", "our neighbour", "a bird"]
verbs = ["sees", "likes", "follows", "calls", "finds", "helps"]
objects = ["the ball", "a house", "the river", "my book", "a tree", "the car", "her hat"]
adverbs = ["today", "again", "quickly", "slowly", "at night", "every day"]
sentences = [f"{rnd.choice(subjects)} {rnd.choice(verbs)} {rnd.choice(objects)} {rnd.choice(adverbs)} ."
             for _ in range(4000)]
words = " ".join(sentences).split()
vocab = sorted(set(words))
stoi = {w: i for i, w in enumerate(vocab)}
ids = torch.tensor([stoi[w] for w in words])


class WordLM(nn.Module):
    def __init__(self, vocab_size, dim=256):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.proj = nn.Linear(dim, vocab_size, bias=False)
        self.proj.weight = self.embedding.weight  # tie weights
        # BUG: no re-init of the shared matrix; N(0, 1) rows make the logits huge

    def forward(self, x):
        out, _ = self.rnn(self.embedding(x))
        return self.proj(out)


torch.manual_seed(0)
model = WordLM(len(vocab))
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
bptt, batch = 20, 32
for step in range(300):
    starts = torch.randint(0, len(ids) - bptt - 1, (batch,))
    chunk = torch.stack([ids[s : s + bptt + 1] for s in starts])
    logits = model(chunk[:, :-1])
    loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), chunk[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    if step % 25 == 0:
        print(step, round(loss.item(), 3))
