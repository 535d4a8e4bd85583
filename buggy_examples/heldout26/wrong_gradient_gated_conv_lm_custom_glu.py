"""Gated convolutional language model (Dauphin-style): embeddings, three
residual causal dilated Conv1d layers with a GLU gate, LayerNorm, softmax
readout. Trained with Adam for 200 steps on sequences from a generated
second-order Markov source (vocab 12).

Seeded bug (wrong_gradient): the hand-written `GatedLinearUnit` autograd
Function computes the gate gradient as `grad_out * out * (1 - out)` -- the
sigmoid-derivative pattern applied to the GLU output instead of the gate.
The correct expression is `grad_out * a * gate * (1 - gate)`
(= `grad_out * out * (1 - gate)`). torch.autograd.gradcheck fails on the
buggy Function and passes on the fixed one.

Measured: valid loss 2.52 -> 1.75 at step 50, then drifts back up to 2.13
nats/token at step 199 (uniform = 2.485). Fixed copy: valid loss 2.52 ->
1.13 nats/token, train 0.95.
"""
# traindebug-expect: wrong_gradient
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class GatedLinearUnit(torch.autograd.Function):
    """Memory-lean GLU: saves the sigmoid gate instead of re-running it in backward."""

    @staticmethod
    def forward(ctx, x):
        a, b = x.chunk(2, dim=1)
        gate = torch.sigmoid(b)
        out = a * gate
        ctx.save_for_backward(a, gate, out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        a, gate, out = ctx.saved_tensors
        grad_a = grad_out * gate
        grad_b = grad_out * out * (1 - out)
        return torch.cat([grad_a, grad_b], dim=1)


glu = GatedLinearUnit.apply


class CausalGatedConv(nn.Module):
    def __init__(self, channels, kernel_size, dilation=1):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(channels, 2 * channels, kernel_size, dilation=dilation)

    def forward(self, x):                              # x: B, C, T
        h = glu(self.conv(F.pad(x, (self.pad, 0))))
        return x + h


class GatedConvLM(nn.Module):
    def __init__(self, vocab, dim=48, kernel=3, dilations=(1, 2, 4)):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([CausalGatedConv(dim, kernel, d) for d in dilations])
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, vocab)

    def forward(self, tokens):                         # B, T
        h = self.embed(tokens).transpose(1, 2)
        for layer in self.layers:
            h = layer(h)
        return self.proj(self.norm(h.transpose(1, 2)))


def make_corpus(n_seq, seq_len, vocab, rng):
    """Second-order Markov source: next token depends on the previous two."""
    table = rng.dirichlet(np.full(vocab, 0.08), size=(vocab, vocab))
    seqs = np.zeros((n_seq, seq_len), dtype=np.int64)
    seqs[:, :2] = rng.integers(0, vocab, (n_seq, 2))
    for t in range(2, seq_len):
        p = table[seqs[:, t - 2], seqs[:, t - 1]]
        c = p.cumsum(1)
        seqs[:, t] = (rng.random((n_seq, 1)) < c).argmax(1)
    return torch.from_numpy(seqs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=12)
    ap.add_argument("--seq-len", type=int, default=32)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()

    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    data = make_corpus(1200, args.seq_len + 1, args.vocab, rng)
    train, valid = data[:1000], data[1000:]
    model = GatedConvLM(args.vocab)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98))
    print(f"uniform baseline {math.log(args.vocab):.3f} nats/token")
    for step in range(args.steps):
        batch = train[torch.randint(0, len(train), (args.batch,))]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == args.steps - 1:
            with torch.no_grad():
                vl = F.cross_entropy(model(valid[:, :-1]).reshape(-1, args.vocab),
                                     valid[:, 1:].reshape(-1)).item()
            print(f"step {step:3d}  train {loss.item():.3f}  valid {vl:.3f} nats/token")


if __name__ == "__main__":
    main()
