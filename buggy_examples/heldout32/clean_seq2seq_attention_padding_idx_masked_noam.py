"""
Sequence-to-sequence reversal of variable-length sequences (4-9 symbols, padded to 9) with a
GRU encoder and a GRU decoder with scaled dot-product attention, teacher forcing, Adam lr 3e-3
with an inverse-square-root ("Noam") schedule and 40 warm-up steps, grad-norm clipping at 1.0,
batch 64, 250 steps.

Healthy control: correct padding handling throughout.

Possible false alarm: both embeddings use padding_idx=0, so the padding rows receive no gradient
and never change (could look like frozen parameters / missing gradient flow); attention
scores at padded source positions are filled with -inf before the softmax (could look like a
non-finite value); the loss uses ignore_index for padded target positions; and the learning rate
rises then decays as 1/sqrt(step).

Measured (seed 0, 1 thread): final train NLL 0.127, val NLL 0.113, val token accuracy 0.976,
whole-sequence accuracy 0.875.
"""
# traindebug-expect: clean
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

PAD, BOS = 0, 1
VOCAB = 14          # 0 = <pad>, 1 = <bos>, 2..13 = symbols
SEQ_LEN = 9         # maximum length; sequences are 4..9 symbols long
EMB, HID = 32, 64
BATCH = 64
STEPS = 250


def make_batch(n, gen):
    lengths = torch.randint(4, SEQ_LEN + 1, (n,), generator=gen)
    src = torch.randint(2, VOCAB, (n, SEQ_LEN), generator=gen)
    pos = torch.arange(SEQ_LEN)
    valid = pos[None, :] < lengths[:, None]
    src = src.masked_fill(~valid, PAD)
    # task: reverse the valid part of each sequence, then pad
    rev_idx = (lengths[:, None] - 1 - pos[None, :]).clamp_min(0)
    tgt = src.gather(1, rev_idx).masked_fill(~valid, PAD)
    bos = torch.full((n, 1), BOS, dtype=torch.long)
    dec_in = torch.cat([bos, tgt[:, :-1]], dim=1)
    return src, dec_in, tgt


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB, padding_idx=PAD)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)

    def forward(self, src):
        out, h = self.rnn(self.emb(src))
        return out, h


class AttnDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB, padding_idx=PAD)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)
        self.query = nn.Linear(HID, HID, bias=False)
        self.out = nn.Sequential(
            nn.Linear(2 * HID, HID),
            nn.Tanh(),
            nn.Linear(HID, VOCAB),
            nn.LogSoftmax(dim=-1),
        )

    def forward(self, dec_in, enc_out, h, src_pad):
        dec_out, _ = self.rnn(self.emb(dec_in), h)                 # (B, T, H)
        scores = self.query(dec_out) @ enc_out.transpose(1, 2)      # (B, T, S)
        scores = scores.masked_fill(src_pad[:, None, :], float("-inf"))
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
        return self.decoder(dec_in, enc_out, h, src == PAD)


model = Seq2Seq()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
# inverse-square-root ("Noam") schedule with 40 warm-up steps
WARMUP = 40
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: min((s + 1) / WARMUP, (WARMUP / (s + 1)) ** 0.5))
criterion = nn.NLLLoss(ignore_index=PAD)
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
    scheduler.step()

    if step % 50 == 0 or step == 1:
        model.eval()
        with torch.no_grad():
            val_out = model(val_src, val_in)
            val_loss = criterion(val_out.reshape(-1, VOCAB), val_tgt.reshape(-1)).item()
            mask = val_tgt != PAD
            hit = (val_out.argmax(-1) == val_tgt) | ~mask
            tok_acc = hit[mask].float().mean().item()
            seq_acc = hit.all(dim=1).float().mean().item()
        print(f"step {step:4d}  train loss {loss.item():.4f}  val loss {val_loss:.4f}  "
              f"token acc {tok_acc:.3f}  seq acc {seq_acc:.3f}")

print(f"final: val token accuracy {tok_acc:.3f}, sequence accuracy {seq_acc:.3f} "
      f"({time.time() - start:.1f}s)")
