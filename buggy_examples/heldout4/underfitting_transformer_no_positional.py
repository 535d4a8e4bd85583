"""Seeded bug: a small Transformer encoder (nn.TransformerEncoderLayer x2,
mean pooling) classifies token sequences by whether token A appears before
token B. The token embedding is there but the positional encoding was
never added (the module is built in __init__ and not used in forward), so
the encoder is permutation invariant after pooling and cannot see order:
the loss stays at ln 2 while updates are healthy. Measured: loss
0.75 -> 0.69 vs 0.71 -> 0.004 with the positional encoding applied."""
# traindebug-expect: underfitting
import math

import torch
from torch import nn

VOCAB, LEN, A, B = 12, 16, 1, 2


def make_data(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    seqs = torch.randint(3, VOCAB, (n, LEN), generator=g)
    labels = torch.randint(0, 2, (n,), generator=g)
    for i in range(n):
        p, q = torch.randperm(LEN, generator=g)[:2].sort().values.tolist()
        first, second = (A, B) if labels[i] == 1 else (B, A)
        seqs[i, p], seqs[i, q] = first, second
    return seqs, labels


class PositionalEncoding(nn.Module):
    def __init__(self, d, max_len=64):
        super().__init__()
        pos = torch.arange(max_len)[:, None]
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe = torch.zeros(max_len, d)
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class OrderClassifier(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d)
        self.pos = PositionalEncoding(d)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d, 2)

    def forward(self, tokens):
        h = self.embed(tokens)  # BUG: self.pos(...) is never applied
        return self.head(self.encoder(h).mean(1))


torch.manual_seed(0)
X, y = make_data(4000)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
model = OrderClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
crit = nn.CrossEntropyLoss()
losses = []
for epoch in range(4):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(epoch, round(sum(losses[-60:]) / 60, 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
