"""GRU encoder-decoder (seq2seq) that learns to reverse random digit strings of length 7.
Token embedding 32, GRU hidden 128 for both encoder and decoder, teacher forcing with a BOS token,
cross-entropy over the 10 output digits, Adam lr 2e-3 with gradient clipping at 1.0, mini-batches
of 64 freshly sampled sequences, 300 steps; evaluation is greedy decoding on 512 held-out strings.

Seeded bug: the author reused `repackage_hidden` (the `h.detach()` helper from the PyTorch word
language model example, used there for truncated BPTT) to hand the encoder's final state to the
decoder. The detach cuts the graph between decoder and encoder, so the encoder embedding and the
encoder GRU never receive a gradient and stay at their random initialisation; the decoder only
sees a fixed random projection of the input.

Measured (plain python, 1 thread): greedy token accuracy 0.702 / whole-sequence accuracy 0.205
(train loss 0.58) with the bug versus token accuracy 0.844 / sequence accuracy 0.566 (train loss
0.23) for a fixed copy that passes the encoder state without detaching (the random, untrained
encoder still leaks some information, which is why the bug does not drop to chance).
"""
# traindebug-expect: no_gradient_flow
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=7)
parser.add_argument("--hidden", type=int, default=128)
parser.add_argument("--steps", type=int, default=300)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--lr", type=float, default=2e-3)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(0)

VOCAB = 10
BOS = 10


def sample_batch(n, gen=None):
    src = torch.randint(0, VOCAB, (n, args.seq_len), generator=gen)
    tgt = src.flip(1)
    return src, tgt


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


class Seq2Seq(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.src_emb = nn.Embedding(VOCAB, 32)
        self.tgt_emb = nn.Embedding(VOCAB + 1, 32)
        self.encoder = nn.GRU(32, hidden, batch_first=True)
        self.decoder = nn.GRU(32, hidden, batch_first=True)
        self.out = nn.Linear(hidden, VOCAB)

    def encode(self, src):
        _, h = self.encoder(self.src_emb(src))
        return h

    def forward(self, src, tgt):
        hidden = repackage_hidden(self.encode(src))
        bos = torch.full((tgt.shape[0], 1), BOS, dtype=torch.long)
        dec_in = torch.cat([bos, tgt[:, :-1]], dim=1)
        out, _ = self.decoder(self.tgt_emb(dec_in), hidden)
        return self.out(out)

    @torch.no_grad()
    def greedy(self, src):
        hidden = self.encode(src)
        tok = torch.full((src.shape[0], 1), BOS, dtype=torch.long)
        preds = []
        for _ in range(src.shape[1]):
            out, hidden = self.decoder(self.tgt_emb(tok), hidden)
            tok = self.out(out).argmax(-1)
            preds.append(tok)
        return torch.cat(preds, dim=1)


model = Seq2Seq(args.hidden)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
val_src, val_tgt = sample_batch(512, torch.Generator().manual_seed(123))


def evaluate():
    model.eval()
    pred = model.greedy(val_src)
    model.train()
    tok_acc = (pred == val_tgt).float().mean().item()
    seq_acc = (pred == val_tgt).all(1).float().mean().item()
    return tok_acc, seq_acc


for step in range(1, args.steps + 1):
    src, tgt = sample_batch(args.batch_size)
    logits = model(src, tgt)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 50 == 0:
        tok_acc, seq_acc = evaluate()
        print(f"step {step:4d}  loss {loss.item():.4f}  val token acc {tok_acc:.3f}  seq acc {seq_acc:.3f}")

tok_acc, seq_acc = evaluate()
print(f"final loss {loss.item():.4f}  token acc {tok_acc:.3f}  sequence acc {seq_acc:.3f}")
