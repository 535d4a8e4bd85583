"""Healthy control: GRU sequence classifier (synthetic token "sentiment" task:
more positive than negative tokens?) on top of a frozen pretrained embedding
table, with gated attention pooling (tanh branch x sigmoid gate), AdamW and
gradient clipping at 5.

Patterns that may fool a naive detector: (1) nn.Embedding.from_pretrained(
freeze=True) is a submodule whose weight never changes and never gets a
.grad -- deliberately, and it is not passed to the optimiser; (2) sigmoid
and tanh units (GRU gates, attention gate) are present and gates are allowed
to sit near their bounds; (3) the attention logits of
padding positions are -inf before the softmax (masked, never a NaN).
Measured (5 epochs, 250 steps): train loss 0.377 -> 0.104, val loss
0.226 -> 0.127, val accuracy 0.903 -> 0.937 (chance ~0.5).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, EMB, HID, SEQ = 60, 16, 48, 24
rng = np.random.default_rng(13)
torch.manual_seed(13)

# --- "pretrained" token vectors (stand-in for vectors loaded from disk) ---
# tokens 1-19 are "positive", 20-39 "negative", the rest neutral; 0 is padding
groups = np.zeros(VOCAB, dtype=np.int64)
groups[1:20], groups[20:40] = 1, 2
centroids = rng.standard_normal((3, EMB)).astype(np.float32)
pretrained = centroids[groups] + 0.3 * rng.standard_normal((VOCAB, EMB)).astype(np.float32)
pretrained[0] = 0.0


def make_data(n):
    lengths = rng.integers(8, SEQ + 1, size=n)
    x = np.zeros((n, SEQ), dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    for i, L in enumerate(lengths):
        toks = rng.integers(1, VOCAB, size=L)
        x[i, :L] = toks
        pos, neg = (groups[toks] == 1).sum(), (groups[toks] == 2).sum()
        y[i] = int(pos > neg)
    return torch.from_numpy(x), torch.from_numpy(y)


class GatedAttentionPool(nn.Module):
    """Gated attention pooling (Ilse et al. 2018): tanh branch times sigmoid gate."""

    def __init__(self, d, d_att=32):
        super().__init__()
        self.V = nn.Linear(d, d_att)
        self.U = nn.Linear(d, d_att)
        self.w = nn.Linear(d_att, 1)

    def forward(self, h, mask):
        a = self.w(torch.tanh(self.V(h)) * torch.sigmoid(self.U(h))).squeeze(-1)
        a = a.masked_fill(~mask, float("-inf")).softmax(-1)
        return (a.unsqueeze(-1) * h).sum(1)


class SentimentGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(torch.from_numpy(pretrained), freeze=True, padding_idx=0)
        self.gru = nn.GRU(EMB, HID, batch_first=True)
        self.pool = GatedAttentionPool(HID)
        self.out = nn.Linear(HID, 2)

    def forward(self, x):
        mask = x != 0
        h, _ = self.gru(self.embed(x))
        return self.out(self.pool(h, mask))


x_tr, y_tr = make_data(2400)
x_va, y_va = make_data(600)
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=48, shuffle=True)

model = SentimentGRU()
trainable = [p for p in model.parameters() if p.requires_grad]
n_frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
print(f"trainable params {sum(p.numel() for p in trainable)}, frozen {n_frozen}")
opt = torch.optim.AdamW(trainable, lr=4e-3, weight_decay=1e-2)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(5):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(trainable, 5.0)
        opt.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(x_va)
        vl = loss_fn(logits, y_va).item()
        acc = (logits.argmax(1) == y_va).float().mean().item()
    print(f"epoch {epoch + 1}: train {tot / n:.4f} val {vl:.4f} acc {acc:.3f}")
