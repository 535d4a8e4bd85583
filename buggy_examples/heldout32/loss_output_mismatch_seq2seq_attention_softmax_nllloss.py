"""
Sequence-to-sequence reversal task (random sequences of 9 symbols from a 13-symbol vocabulary,
decoder must emit them reversed) with a GRU encoder and a GRU decoder with scaled dot-product
(Luong-style) attention over the encoder states, teacher forcing, Adam lr 2e-3, batch 64,
grad-norm clipping at 1.0, 250 steps on freshly sampled batches, nn.Module classes.

Seeded bug: the decoder's output head ends in nn.Softmax(dim=-1) and the loss is nn.NLLLoss.
NLLLoss expects log-probabilities; given plain probabilities it minimises -p(target), a bounded,
linear-in-probability objective whose gradient vanishes for confidently wrong tokens (the
"loss" is negative, between -1 and 0). A very common mix-up of nn.Softmax with nn.LogSoftmax
when copying the classic PyTorch seq2seq tutorial head.

Measured (seed 0, 1 thread, 250 steps): buggy val "NLL" -0.639, val token accuracy 0.670,
whole-sequence accuracy 0.012; fixed copy (nn.LogSoftmax) val NLL 0.142, token accuracy 0.955,
sequence accuracy 0.676.
"""
# traindebug-expect: loss_output_mismatch
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

VOCAB = 14          # 0 = <bos>, 1..13 = symbols
SEQ_LEN = 9
EMB, HID = 32, 64
BATCH = 64
STEPS = 250


def make_batch(n, gen):
    src = torch.randint(1, VOCAB, (n, SEQ_LEN), generator=gen)
    tgt = torch.flip(src, dims=[1])            # task: reverse the sequence
    bos = torch.zeros(n, 1, dtype=torch.long)
    dec_in = torch.cat([bos, tgt[:, :-1]], dim=1)
    return src, dec_in, tgt


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)

    def forward(self, src):
        out, h = self.rnn(self.emb(src))
        return out, h


class AttnDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)
        self.query = nn.Linear(HID, HID, bias=False)
        self.out = nn.Sequential(
            nn.Linear(2 * HID, HID),
            nn.Tanh(),
            nn.Linear(HID, VOCAB),
            nn.Softmax(dim=-1),
        )

    def forward(self, dec_in, enc_out, h):
        dec_out, _ = self.rnn(self.emb(dec_in), h)                 # (B, T, H)
        scores = self.query(dec_out) @ enc_out.transpose(1, 2)      # (B, T, S)
        attn = torch.softmax(scores / HID ** 0.5, dim=-1)
        context = attn @ enc_out                                    # (B, T, H)
        return self.out(torch.cat([dec_out, context], dim=-1))


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = AttnDecoder()

    def forward(self, src, dec_in):
        enc_out, h = self.encoder(src)
        return self.decoder(dec_in, enc_out, h)


model = Seq2Seq()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
criterion = nn.NLLLoss()
gen = torch.Generator().manual_seed(1)
val_src, val_in, val_tgt = make_batch(256, torch.Generator().manual_seed(123))

start = time.time()
for step in range(1, STEPS + 1):
    model.train()
    src, dec_in, tgt = make_batch(BATCH, gen)
    out = model(src, dec_in)
    loss = criterion(out.reshape(-1, VOCAB), tgt.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()

    if step % 50 == 0 or step == 1:
        model.eval()
        with torch.no_grad():
            val_out = model(val_src, val_in)
            val_loss = criterion(val_out.reshape(-1, VOCAB), val_tgt.reshape(-1)).item()
            tok_acc = (val_out.argmax(-1) == val_tgt).float().mean().item()
            seq_acc = (val_out.argmax(-1) == val_tgt).all(dim=1).float().mean().item()
        print(f"step {step:4d}  train loss {loss.item():.4f}  val loss {val_loss:.4f}  "
              f"token acc {tok_acc:.3f}  seq acc {seq_acc:.3f}")

print(f"final: val token accuracy {tok_acc:.3f}, sequence accuracy {seq_acc:.3f} "
      f"({time.time() - start:.1f}s)")
