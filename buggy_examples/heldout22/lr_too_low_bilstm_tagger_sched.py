"""Bidirectional LSTM sequence tagger (packed sequences, argparse config) on a
synthetic tagging task where some tags depend on the following token.

Seeded bug: the LambdaLR schedule is meant to decay the learning rate by 0.9
per *epoch* (lr_lambda takes the epoch index), but sched.step() is called
inside the batch loop, so the rate is multiplied by 0.9 every optimizer step:
after 20 steps it is 1.2e-3, after 60 steps 1.8e-5 and by the end 7e-12.
Training effectively stops after the second epoch.

Measured (10 epochs, 200 Adam steps): buggy train loss 1.29 -> 0.958, flat
from epoch 3 on, val tag accuracy stuck at 0.758; stepping the scheduler once
per epoch: train loss 1.03 -> 0.0026, val tag accuracy 0.998.
"""
# traindebug-expect: lr_too_low
import argparse
import random

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence, pad_packed_sequence

torch.set_num_threads(1)

PAD = 0
N_TAGS = 5


def make_corpus(n_sent, vocab, rng):
    """Synthetic tagging task: a token's tag is determined by its own id
    bucket, except 'ambiguous' tokens whose tag is copied from the next token
    (so the backward direction matters)."""
    sents, tags = [], []
    for _ in range(n_sent):
        L = rng.randint(6, 20)
        toks = [rng.randint(1, vocab - 1) for _ in range(L)]
        tg = [t % (N_TAGS - 1) for t in toks]
        for i in range(L - 2, -1, -1):
            if toks[i] < vocab // 6:
                tg[i] = N_TAGS - 1 if tg[i + 1] in (0, 1) else tg[i + 1]
        sents.append(torch.tensor(toks))
        tags.append(torch.tensor(tg))
    return sents, tags


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab, emb, hidden, n_tags):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * hidden, n_tags)

    def forward(self, x, lengths):
        e = self.emb(x)
        packed = pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.size(1))
        return self.proj(out)


def batches(sents, tags, bs, shuffle, rng):
    idx = list(range(len(sents)))
    if shuffle:
        rng.shuffle(idx)
    for i in range(0, len(idx), bs):
        b = idx[i:i + bs]
        xs = [sents[j] for j in b]
        ys = [tags[j] for j in b]
        lengths = torch.tensor([len(s) for s in xs])
        yield (pad_sequence(xs, batch_first=True, padding_value=PAD),
               pad_sequence(ys, batch_first=True, padding_value=-100),
               lengths)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=60)
    p.add_argument("--emb", type=int, default=24)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--decay", type=float, default=0.9, help="lr multiplier per epoch")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--bs", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    tr_x, tr_y = make_corpus(640, args.vocab, rng)
    va_x, va_y = make_corpus(200, args.vocab, rng)

    model = BiLSTMTagger(args.vocab, args.emb, args.hidden, N_TAGS)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda ep: args.decay ** ep)
    crit = nn.CrossEntropyLoss(ignore_index=-100)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        tot, cnt = 0.0, 0
        for x, y, lengths in batches(tr_x, tr_y, args.bs, True, rng):
            logits = model(x, lengths)
            loss = crit(logits.reshape(-1, N_TAGS), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            step += 1
            tot += loss.item()
            cnt += 1

        model.eval()
        correct = total = 0
        with torch.no_grad():
            for x, y, lengths in batches(va_x, va_y, 100, False, rng):
                pred = model(x, lengths).argmax(-1)
                m = y != -100
                correct += (pred[m] == y[m]).sum().item()
                total += m.sum().item()
        print(f"epoch {epoch:2d} step {step:4d} lr {opt.param_groups[0]['lr']:.2e} "
              f"train_loss {tot / cnt:.4f} val_tag_acc {correct / total:.3f}")


if __name__ == "__main__":
    main()
