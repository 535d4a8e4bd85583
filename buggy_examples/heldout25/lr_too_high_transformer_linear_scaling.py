"""Small Transformer (2 x nn.TransformerEncoderLayer, mean pool) that classifies
which of four marker tokens occurs most often in a generated token sequence.
AdamW, argparse config, 6 epochs x 38 steps.

Seeded bug: --base-lr is documented as the rate for a reference batch of 32 and
meant to be scaled linearly (base_lr * batch_size / 32), but the code computes
base_lr * batch_size, so AdamW runs at 0.032 instead of 0.001.

Measured (228 steps): train loss hovers around chance (ln 4 = 1.386), epoch
means 1.56, 1.39, 1.37, 1.36, 1.33, 1.29, with mini-batch spikes up to 2.47; val
acc 0.27-0.40, final val loss 1.28, acc 0.403. With the "/ 32" (lr 1e-3): val
acc 0.997 after epoch 0, final val loss 0.0029, acc 1.000.
"""
# traindebug-expect: lr_too_high
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

VOCAB = 16
SIGNAL_TOKENS = (1, 2, 3, 4)
PAD = 0


def make_sequences(n, seq_len, gen):
    """Label = which signal token (1..4) occurs most often in the sequence."""
    x = torch.randint(5, VOCAB, (n, seq_len), generator=gen)
    counts = torch.randint(0, 3, (n, 4), generator=gen)
    winner = torch.randint(0, 4, (n,), generator=gen)
    counts[torch.arange(n), winner] = counts.max(1).values + 1 + torch.randint(0, 2, (n,), generator=gen)
    for i in range(n):
        pos = torch.randperm(seq_len, generator=gen)
        k = 0
        for tok in range(4):
            c = int(counts[i, tok])
            x[i, pos[k:k + c]] = SIGNAL_TOKENS[tok]
            k += c
    return x, winner


class TokenClassifier(nn.Module):
    def __init__(self, d_model, nhead, nlayers, seq_len, n_classes=4):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, seq_len, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2 * d_model,
                                           dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.cls = nn.Linear(d_model, n_classes)

    def forward(self, x):
        h = self.encoder(self.tok(x) + self.pos)
        return self.cls(h.mean(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seq-len", type=int, default=24)
    ap.add_argument("--d-model", type=int, default=48)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--base-lr", type=float, default=5e-4,
                    help="learning rate for a reference batch of 32, scaled linearly")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    Xtr, ytr = make_sequences(2400, args.seq_len, gen)
    Xva, yva = make_sequences(600, args.seq_len, gen)

    model = TokenClassifier(args.d_model, args.heads, args.layers, args.seq_len)
    lr = args.base_lr * args.batch_size
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    print(f"lr={lr:g}")

    t0 = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(Xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            out = model(Xva)
            va_loss = F.cross_entropy(out, yva).item()
            va_acc = (out.argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch} step {step} train loss {sum(losses) / len(losses):.4f} "
              f"(max {max(losses):.2f}) val loss {va_loss:.4f} acc {va_acc:.3f}")
    print(f"chance loss {math.log(4):.3f}; {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
