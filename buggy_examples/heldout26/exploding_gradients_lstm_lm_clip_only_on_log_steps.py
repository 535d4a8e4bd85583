"""2-layer LSTM word-level language model (word_language_model style: plain SGD
with lr=20 and gradient-norm clipping at 0.25, truncated BPTT) on sentences
sampled from a small probabilistic context-free grammar.

Seeded bug (exploding_gradients): the clip_grad_norm_ call sits inside the
`if batch % LOG_INTERVAL == 0` logging block, so gradients are clipped on only
~1 step in 20; every other step applies the raw LSTM gradient with lr=20.

Measured (~260 steps): the total gradient norm goes from 0.19 at step 0 to
16.4 at step 3 and 26.6 at step 7 (~140x) and stays at 2-6 afterwards; the
training loss rises from 2.76 to 50-100 nats/token and valid loss is 90.5,
81.6, 48.5, 38.1, 44.4 over epochs 1-5, ending at 4.19 (ppl 66) after the lr
is cut to 5. With clipping on every step: pre-clip norm <= 2.7 early, ~0.2 later;
valid loss 3.06 -> 1.37 (ppl 3.9).
"""
# traindebug-expect: exploding_gradients
import math
import random

import torch
import torch.nn as nn

torch.set_num_threads(1)

# ---------------------------------------------------------------- toy grammar
GRAMMAR = {
    "S": [(["NP", "VP", "."], 0.8), (["NP", "VP", "and", "NP", "VP", "."], 0.2)],
    "NP": [(["Det", "N"], 0.5), (["Det", "Adj", "N"], 0.3), (["Det", "N", "PP"], 0.2)],
    "PP": [(["P", "NP"], 1.0)],
    "VP": [(["V", "NP"], 0.6), (["V"], 0.25), (["V", "PP"], 0.15)],
    "Det": [(["the"], 0.6), (["a"], 0.4)],
    "N": [(["cat"], 0.3), (["dog"], 0.3), (["bird"], 0.2), (["tree"], 0.2)],
    "Adj": [(["big"], 0.5), (["small"], 0.3), (["red"], 0.2)],
    "V": [(["sees"], 0.4), (["chases"], 0.4), (["sleeps"], 0.2)],
    "P": [(["on"], 0.5), (["near"], 0.5)],
}


def expand(sym, rng, depth=0):
    if sym not in GRAMMAR:
        return [sym]
    rules = GRAMMAR[sym]
    if depth > 6:  # keep recursion bounded
        rules = rules[:1]
    r, acc = rng.random() * sum(w for _, w in rules), 0.0
    for rhs, w in rules:
        acc += w
        if r <= acc:
            break
    out = []
    for s in rhs:
        out.extend(expand(s, rng, depth + 1))
    return out


def build_corpus(n_sent, seed):
    rng = random.Random(seed)
    words = []
    for _ in range(n_sent):
        words.extend(expand("S", rng))
    vocab = sorted(set(words))
    stoi = {w: i for i, w in enumerate(vocab)}
    return torch.tensor([stoi[w] for w in words]), vocab


def batchify(data, bsz):
    nb = data.size(0) // bsz
    return data[: nb * bsz].view(bsz, -1).t().contiguous()  # (T, B)


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nlayers, self.nhid = nlayers, nhid
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, x, hidden):
        emb = self.drop(self.encoder(x))
        out, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(out)).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage(h):
    return tuple(v.detach() for v in h)


# ---------------------------------------------------------------- training
EMSIZE, NHID, NLAYERS = 32, 64, 2
LR, CLIP, BPTT, BATCH = 20.0, 0.25, 35, 20
EPOCHS, LOG_INTERVAL = 6, 20

torch.manual_seed(1111)
data, vocab = build_corpus(3600, seed=7)
n_val = len(data) // 10
train_data = batchify(data[:-n_val], BATCH)
val_data = batchify(data[-n_val:], 10)
model = RNNModel(len(vocab), EMSIZE, NHID, NLAYERS)
criterion = nn.CrossEntropyLoss()


def evaluate(source):
    model.eval()
    total, hidden = 0.0, model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, BPTT):
            x, y = get_batch(source, i, BPTT)
            out, hidden = model(x, hidden)
            total += len(x) * criterion(out, y).item()
    return total / (len(source) - 1)


lr = LR
best_val = None
step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    hidden = model.init_hidden(BATCH)
    total_loss = 0.0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, BPTT)):
        x, y = get_batch(train_data, i, BPTT)
        hidden = repackage(hidden)
        model.zero_grad()
        out, hidden = model(x, hidden)
        loss = criterion(out, y)
        loss.backward()

        total_loss += loss.item()
        step += 1
        if batch % LOG_INTERVAL == 0 and batch > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            cur = total_loss / LOG_INTERVAL
            print(f"| epoch {epoch} | batch {batch:3d} | lr {lr:.2f} | loss {cur:.3f} | ppl {math.exp(min(cur, 50)):8.2f}")
            total_loss = 0.0
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)

    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:.3f} | valid ppl {math.exp(min(val_loss, 50)):8.2f}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
    else:
        lr /= 4.0
