"""Clean control: GRU encoder-decoder with teacher forcing on a generated
sequence-reversal task.
Patterns a naive detector might flag but that are legitimate here: mini-batches are built
from length buckets, so every batch holds sequences of one single length and the batch
order is not a plain shuffle of samples (the bucket order *is* shuffled each epoch and the
targets are not class labels); padding positions are excluded via ignore_index, so their
logits get no gradient; the teacher-forcing ratio is annealed from 1.0 to 0.3, so
the training objective gets harder during the run (train and greedy-decoded validation
numbers are not directly comparable) and validation accuracy is noisy (dips once) without
trending down; gradient clipping at norm 1.0.
Measured healthy numbers (258 Adam steps): train loss 1.50 (epoch 0 mean) -> 0.33,
greedy-decoding validation token accuracy 0.579 -> 0.872 (0.845, 0.801, 0.872 over the last
three epochs), whole-sequence accuracy 0.193 -> 0.677.
"""
# traindebug-expect: clean
import random
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
random.seed(0)
torch.manual_seed(0)

PAD, SOS, EOS = 0, 1, 2
N_SYM = 8
VOCAB = 3 + N_SYM
MIN_LEN, MAX_LEN = 3, 6


def make_pairs(n):
    pairs = []
    for _ in range(n):
        L = random.randint(MIN_LEN, MAX_LEN)
        src = [random.randrange(3, VOCAB) for _ in range(L)]
        pairs.append((src, src[::-1] + [EOS]))
    return pairs


def bucket_batches(pairs, batch_size):
    """Group by source length, chop each bucket into batches, shuffle the batch order."""
    buckets = {}
    for p in pairs:
        buckets.setdefault(len(p[0]), []).append(p)
    batches = []
    for L in sorted(buckets):
        b = buckets[L]
        random.shuffle(b)
        batches += [b[i:i + batch_size] for i in range(0, len(b), batch_size)]
    random.shuffle(batches)
    return batches


def to_tensor(seqs):
    T = max(len(s) for s in seqs)
    return torch.tensor([s + [PAD] * (T - len(s)) for s in seqs])


class Seq2Seq(nn.Module):
    def __init__(self, vocab, emb=32, hid=128):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.enc = nn.GRU(emb, hid, batch_first=True)
        self.dec = nn.GRU(emb, hid, batch_first=True)
        self.out = nn.Linear(hid, vocab)

    def forward(self, src, tgt, tf_ratio=1.0):
        _, h = self.enc(self.emb(src))
        B, T = tgt.shape
        inp = torch.full((B, 1), SOS, dtype=torch.long)
        logits = []
        for t in range(T):
            o, h = self.dec(self.emb(inp), h)
            step = self.out(o)
            logits.append(step)
            if random.random() < tf_ratio:
                inp = tgt[:, t:t + 1]
            else:
                inp = step.argmax(-1)
        return torch.cat(logits, 1)

    @torch.no_grad()
    def greedy(self, src, max_len):
        return self.forward(src, torch.zeros(src.shape[0], max_len, dtype=torch.long), tf_ratio=0.0).argmax(-1)


train_pairs, val_pairs = make_pairs(2560), make_pairs(400)
model = Seq2Seq(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=4e-3)
epochs, bs = 6, 64
step, total_steps = 0, epochs * len(bucket_batches(train_pairs, bs))
for epoch in range(epochs):
    model.train()
    run, nb = 0.0, 0
    for batch in bucket_batches(train_pairs, bs):
        src, tgt = to_tensor([p[0] for p in batch]), to_tensor([p[1] for p in batch])
        tf = max(0.3, 1.0 - 0.7 * step / (0.6 * total_steps))
        logits = model(src, tgt, tf_ratio=tf)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run += loss.item(); nb += 1; step += 1
    model.eval()
    tok_ok = tok_n = seq_ok = 0
    for batch in bucket_batches(val_pairs, 100):
        src, tgt = to_tensor([p[0] for p in batch]), to_tensor([p[1] for p in batch])
        pred = model.greedy(src, tgt.shape[1])
        mask = tgt != PAD
        tok_ok += ((pred == tgt) & mask).sum().item(); tok_n += mask.sum().item()
        seq_ok += ((pred == tgt) | ~mask).all(1).sum().item()
    print(f"epoch {epoch} tf={tf:.2f} train_loss {run / nb:.3f} val_tok_acc {tok_ok / tok_n:.3f} "
          f"val_seq_acc {seq_ok / len(val_pairs):.3f}")
print(f"steps {step}")
