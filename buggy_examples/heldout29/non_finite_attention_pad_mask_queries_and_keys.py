"""
Sentiment-style classification of variable-length token sequences (synthetic "reviews":
label = more positive than negative cue words) with a small hand-written pre-LN attention
encoder (2 blocks, d_model 32, 4 heads, learned positions), masked mean pooling over real
tokens, AdamW lr 2e-3, batches of 64 right-padded sequences, 5 epochs = 160 steps.

Seeded bug: the padding mask for the attention scores is built for both axes,
pad[:, None, None, :] | pad[:, None, :, None], i.e. padded *query* rows are masked too. Those
rows are entirely -inf, softmax over them returns NaN, and the NaN at padded positions survives
the masked mean pooling (NaN * 0 = NaN). Every batch contains padding, so the loss is NaN from
the first step, backward fills the gradients with NaN and AdamW turns every weight into NaN.
A realistic mistake: people "mask padding everywhere", copying the square causal-mask shape.

Measured (seed 3, 1 thread): buggy train/test loss nan from epoch 1, final test accuracy 0.487
(always predicts one class). Fixed copy (key mask only, pad[:, None, None, :]): test loss
0.270 after epoch 1, final test loss 0.0016, test accuracy 1.000.
"""
# traindebug-expect: non_finite
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(3)

VOCAB, PAD = 60, 0
POS_WORDS = torch.arange(1, 11)
NEG_WORDS = torch.arange(11, 21)
MAX_LEN = 24


def make_reviews(n, gen):
    """Token sequences of random length; label = more positive than negative cue words."""
    seqs, labels = [], []
    while len(seqs) < n:
        length = int(torch.randint(6, MAX_LEN + 1, (1,), generator=gen))
        toks = torch.randint(21, VOCAB, (length,), generator=gen)
        n_pos = int(torch.randint(0, 5, (1,), generator=gen))
        n_neg = int(torch.randint(0, 5, (1,), generator=gen))
        if n_pos == n_neg or n_pos + n_neg > length:
            continue
        slots = torch.randperm(length, generator=gen)[: n_pos + n_neg]
        toks[slots[:n_pos]] = POS_WORDS[torch.randint(0, 10, (n_pos,), generator=gen)]
        toks[slots[n_pos:]] = NEG_WORDS[torch.randint(0, 10, (n_neg,), generator=gen)]
        seqs.append(toks)
        labels.append(int(n_pos > n_neg))
    return seqs, torch.tensor(labels)


def pad_batch(seqs):
    out = torch.full((len(seqs), max(len(s) for s in seqs)), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


class SelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h, self.dk = n_heads, d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x, pad):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dk)
        mask = pad[:, None, None, :] | pad[:, None, :, None]
        scores = scores.masked_fill(mask, float("-inf"))
        attn = scores.softmax(dim=-1)
        ctx = (attn @ v).transpose(1, 2).reshape(B, T, D)
        return self.out(ctx)


class ReviewEncoder(nn.Module):
    def __init__(self, d_model=32, n_heads=4, n_layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, d_model) * 0.02)
        self.blocks = nn.ModuleList()
        for _ in range(n_layers):
            self.blocks.append(nn.ModuleDict({
                "ln1": nn.LayerNorm(d_model), "attn": SelfAttention(d_model, n_heads),
                "ln2": nn.LayerNorm(d_model),
                "ff": nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model)),
            }))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        pad = tokens == PAD
        x = self.tok(tokens) + self.pos[: tokens.size(1)]
        for blk in self.blocks:
            x = x + blk["attn"](blk["ln1"](x), pad)
            x = x + blk["ff"](blk["ln2"](x))
        x = self.norm(x)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (x * keep).sum(1) / keep.sum(1)
        return self.head(pooled)


gen = torch.Generator().manual_seed(0)
train_seqs, train_y = make_reviews(2048, gen)
test_seqs, test_y = make_reviews(600, gen)
test_x = pad_batch(test_seqs)

model = ReviewEncoder()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
BATCH, EPOCHS = 64, 5
step = 0
for epoch in range(EPOCHS):
    model.train()
    order = torch.randperm(len(train_seqs))
    running, seen = 0.0, 0
    for i in range(0, len(order), BATCH):
        idx = order[i:i + BATCH]
        xb = pad_batch([train_seqs[j] for j in idx])
        yb = train_y[idx]
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(idx)
        seen += len(idx)
        step += 1
    model.eval()
    with torch.no_grad():
        logits = model(test_x)
        test_loss = F.cross_entropy(logits, test_y).item()
        test_acc = (logits.argmax(1) == test_y).float().mean().item()
    print(f"epoch {epoch + 1} step {step} train_loss {running / seen:.4f} "
          f"test_loss {test_loss:.4f} test_acc {test_acc:.3f}")

print(f"final test accuracy {test_acc:.3f}")
