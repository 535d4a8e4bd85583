"""clean: a Transformer encoder (2 x nn.TransformerEncoderLayer, pre-norm,
learned positional embedding, [CLS]-style first token) classifies whether
the number of 'up' tokens in a sequence exceeds the number of 'down'
tokens. AdamW (lr 1e-3, weight decay 0.01) with 30 warm-up steps and
gradient clipping at 1.0, which is active on many early steps, as usual for
transformers. Measured: loss 0.62 -> 0.007,
clipping active on 143 of 282 steps."""
# traindebug-expect: clean
import torch
from torch import nn

VOCAB, LEN, CLS, UP, DOWN = 10, 20, 0, 1, 2


def make_data(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    seqs = torch.randint(1, VOCAB, (n, LEN), generator=g)
    seqs[:, 0] = CLS
    labels = ((seqs == UP).sum(1) > (seqs == DOWN).sum(1)).long()
    return seqs, labels


class Encoder(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.randn(LEN, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 96, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        h = self.enc(self.tok(x) + self.pos)
        return self.head(self.norm(h[:, 0]))


torch.manual_seed(0)
X, y = make_data(6000)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
model = Encoder()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30))
crit = nn.CrossEntropyLoss()
losses, clipped = [], 0
for epoch in range(3):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        clipped += int(norm > 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
    print(epoch, round(sum(losses[-90:]) / 90, 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f} clipped {clipped}/{len(losses)}")
