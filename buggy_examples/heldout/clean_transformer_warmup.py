"""clean: a tiny transformer encoder on shuffled token sequences (majority
vocabulary slice = class), AdamW with linear warm-up then linear decay via
LambdaLR, dropout 0.1, gradient clipping at 1.0."""
# traindebug-expect: clean
import torch
from torch import nn

VOCAB, LENGTH, CLASSES = 32, 20, 4


def make_tokens(n=1280, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, CLASSES, (n,), generator=g)
    own = y[:, None] * 8 + torch.randint(0, 8, (n, LENGTH), generator=g)
    noise = torch.randint(0, VOCAB, (n, LENGTH), generator=g)
    return torch.where(torch.rand(n, LENGTH, generator=g) < 0.6, noise, own), y


class Encoder(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.zeros(1, LENGTH, d))
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.cls = nn.Linear(d, CLASSES)

    def forward(self, t):
        return self.cls(self.enc(self.emb(t) + self.pos).mean(1))


torch.manual_seed(0)
X, y = make_tokens()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
model = Encoder()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
total_steps, warmup = 6 * len(loader), 30
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / (total_steps - warmup))))
for epoch in range(6):
    for t, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(t), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    print(epoch, loss.item())
