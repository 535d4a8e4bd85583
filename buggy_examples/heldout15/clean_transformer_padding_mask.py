"""Healthy control: 2-layer pre-norm nn.TransformerEncoder on variable-length token
sequences (does token 7 occur more often than token 3?). Legitimate patterns that can fool a naive
detector: the key-padding mask makes attention use -inf scores internally, the padding embedding is
all zeros (padding_idx), padded positions are masked out of mean pooling, gradients are clipped
at 1.0 and warmup+cosine LR decays to 0 by the last step.
Measured: step 75 loss 0.0021, test acc 1.000.
"""
# traindebug-expect: clean
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(8)
np.random.seed(8)
torch.set_num_threads(2)

# Variable-length token sequences (tokens 1..9, 0 = padding).
# Label: does token 7 occur more often than token 3?
PAD, VOCAB, MAX_LEN = 0, 10, 20


def make_data(n, rng):
    seqs = np.zeros((n, MAX_LEN), dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    lengths = rng.randint(4, MAX_LEN + 1, size=n)
    for i, L in enumerate(lengths):
        s = rng.randint(1, VOCAB, size=L)
        while (s == 7).sum() == (s == 3).sum():
            s = rng.randint(1, VOCAB, size=L)
        seqs[i, :L] = s
        y[i] = int((s == 7).sum() > (s == 3).sum())
    return torch.from_numpy(seqs), torch.from_numpy(y)


rng = np.random.RandomState(8)
X_tr, y_tr = make_data(3000, rng)
X_te, y_te = make_data(600, rng)


class SeqClassifier(nn.Module):
    def __init__(self, d_model=32, nhead=4, n_layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        pad_mask = tokens == PAD                      # True where padded
        h = self.tok(tokens) + self.pos[: tokens.shape[1]]
        h = self.encoder(h, src_key_padding_mask=pad_mask)
        h = self.norm(h)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)       # masked mean pooling
        return self.head(pooled)


model = SeqClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
total_steps = 300
warmup = 30
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps)))

bs, step = 64, 0
while step < total_steps:
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr) - bs + 1, bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        if step % 75 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(X_te).argmax(1) == y_te).float().mean().item()
            model.train()
            print(f"step {step:3d}  loss {loss.item():.4f}  test acc {acc:.3f}")
        if step >= total_steps:
            break
