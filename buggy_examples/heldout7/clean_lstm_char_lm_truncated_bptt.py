"""Healthy control: 2-layer character-level LSTM language model on a synthetic grammar
corpus, trained with truncated backprop through time (35-step chunks).

Patterns that may fool a naive detector: the (h, c) state is carried across chunks but
detached before each chunk (correct TBPTT, so the graph is deliberately cut and the state
tensors have no grad history); gradient clipping at norm 1.0; dropout between layers.
Measured: loss 3.09 (= ln 22, uniform over the vocabulary) -> val loss 0.256, val perplexity
1.29 after 4 epochs (~176 optimizer steps).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---- synthetic corpus from a tiny probabilistic grammar -------------------------------
SUBJ = ["the cat", "a dog", "my friend", "the old man", "she", "he"]
VERB = ["sees", "likes", "chases", "finds", "wants"]
OBJ = ["the ball", "a red apple", "the small bird", "her book", "some water"]
ADV = ["today", "again", "slowly", "at night", ""]


def sentence():
    s = f"{rng.choice(SUBJ)} {rng.choice(VERB)} {rng.choice(OBJ)} {rng.choice(ADV)}".strip()
    return s + ". "


text = "".join(sentence() for _ in range(1800))
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n_val = len(data) // 10
train_data, val_data = data[:-n_val], data[-n_val:]
V = len(chars)


def batchify(d, bsz):
    n = d.numel() // bsz
    return d[: n * bsz].view(bsz, n)          # (batch, time): each row is a contiguous stream


class CharLSTM(nn.Module):
    def __init__(self, vocab, emb=32, hidden=96, layers=2, dropout=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.decoder(self.drop(out)), state


def detach_state(state):
    return tuple(s.detach() for s in state)


BPTT, BSZ = 35, 32
train_b = batchify(train_data, BSZ)
val_b = batchify(val_data, 16)

model = CharLSTM(V)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    state, tot, n = None, 0.0, 0
    with torch.no_grad():
        for i in range(0, val_b.size(1) - 1, BPTT):
            seq = min(BPTT, val_b.size(1) - 1 - i)
            x, y = val_b[:, i:i + seq], val_b[:, i + 1:i + 1 + seq]
            logits, state = model(x, state)
            tot += crit(logits.reshape(-1, V), y.reshape(-1)).item() * y.numel()
            n += y.numel()
    return tot / n


print(f"vocab {V}, train chars {len(train_data)}, uniform loss ln V = {math.log(V):.3f}")
step = 0
for epoch in range(4):
    model.train()
    state = None
    for i in range(0, train_b.size(1) - 1, BPTT):
        seq = min(BPTT, train_b.size(1) - 1 - i)
        x, y = train_b[:, i:i + seq], train_b[:, i + 1:i + 1 + seq]
        if state is not None:
            state = detach_state(state)       # truncated BPTT: keep the values, cut the graph
        opt.zero_grad()
        logits, state = model(x, state)
        loss = crit(logits.reshape(-1, V), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 25 == 0:
            print(f"step {step:3d} loss {loss.item():.4f}")
        step += 1
    vl = evaluate()
    print(f"epoch {epoch} val_loss {vl:.4f} val_ppl {math.exp(vl):.2f}")
