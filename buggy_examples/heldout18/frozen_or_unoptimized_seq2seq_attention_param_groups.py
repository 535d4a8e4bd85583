"""GRU encoder-decoder with Bahdanau (additive) attention that learns to
reverse random token sequences; teacher forcing, Adam with per-submodule
parameter groups (encoder / decoder / shared embedding).

Seeded bug (frozen_or_unoptimized): the additive-attention module lives on the
top-level Seq2Seq object (model.attn), not inside model.decoder, and the
hand-built parameter-group list only names encoder, decoder and embedding.
The attention weights (W_q, W_k, v) receive gradients on every step but are
never handed to the optimiser, so they stay at their random initial values and
the alignment can never be learnt.
Measured (seed 0, 240 steps): buggy  final loss(ema) 0.99, val token acc 0.664;
                              fixed  final loss(ema) 0.03, val token acc 0.992.
"""
# traindebug-expect: frozen_or_unoptimized
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
SEED = 0
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

VOCAB = 20          # tokens 2..VOCAB-1 are data, 0 = pad (unused), 1 = BOS
SEQ_LEN = 10
EMB, HID, ATT = 24, 48, 32
STEPS, BATCH = 240, 48
LR_ENC, LR_DEC = 3e-3, 3e-3


def sample_batch(n, gen):
    src = torch.randint(2, VOCAB, (n, SEQ_LEN), generator=gen)
    tgt = src.flip(1)
    return src, tgt


class AdditiveAttention(nn.Module):
    def __init__(self, q_dim, k_dim, att_dim):
        super().__init__()
        self.W_q = nn.Linear(q_dim, att_dim, bias=False)
        self.W_k = nn.Linear(k_dim, att_dim, bias=True)
        self.v = nn.Linear(att_dim, 1, bias=False)

    def forward(self, query, keys):
        # query: (B, q_dim); keys: (B, T, k_dim)
        scores = self.v(torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(keys))).squeeze(-1)
        alpha = scores.softmax(dim=-1)
        return torch.bmm(alpha.unsqueeze(1), keys).squeeze(1), alpha


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(EMB, HID, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * HID, HID)

    def forward(self, emb):
        out, h = self.rnn(emb)
        h0 = torch.tanh(self.bridge(torch.cat([h[0], h[1]], dim=-1)))
        return out, h0


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.GRUCell(EMB + 2 * HID, HID)
        self.out = nn.Linear(HID + 2 * HID, VOCAB)

    def step(self, emb_t, state, ctx):
        state = self.cell(torch.cat([emb_t, ctx], dim=-1), state)
        return self.out(torch.cat([state, ctx], dim=-1)), state


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMB)
        self.encoder = Encoder()
        self.decoder = Decoder()
        self.attn = AdditiveAttention(HID, 2 * HID, ATT)

    def forward(self, src, tgt):
        enc_out, state = self.encoder(self.embed(src))
        bos = torch.full((src.size(0), 1), 1, dtype=torch.long)
        dec_in = self.embed(torch.cat([bos, tgt[:, :-1]], dim=1))
        logits = []
        for t in range(tgt.size(1)):
            ctx, _ = self.attn(state, enc_out)
            lt, state = self.decoder.step(dec_in[:, t], state, ctx)
            logits.append(lt)
        return torch.stack(logits, dim=1)


def main():
    gen = torch.Generator().manual_seed(SEED)
    model = Seq2Seq()
    param_groups = [
        {"params": model.encoder.parameters(), "lr": LR_ENC},
        {"params": model.decoder.parameters(), "lr": LR_DEC},
        {"params": model.embed.parameters(), "lr": LR_ENC},
    ]
    opt = torch.optim.Adam(param_groups)
    val_src, val_tgt = sample_batch(256, torch.Generator().manual_seed(123))

    ema = None
    for step in range(1, STEPS + 1):
        src, tgt = sample_batch(BATCH, gen)
        logits = model(src, tgt)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.9 * ema + 0.1 * loss.item()
        if step % 60 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(val_src, val_tgt).argmax(-1) == val_tgt).float().mean().item()
            model.train()
            print(f"step {step:3d} loss(ema) {ema:.4f} val token acc {acc:.3f}")


if __name__ == "__main__":
    main()
