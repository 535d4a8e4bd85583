"""clean: a small Transformer encoder (nn.TransformerEncoderLayer, 2 layers)
classifies token sequences by whether token 3 appears before token 7. AdamW at a
fairly high lr (2e-3) with 30 steps of linear warm-up, gradient clipping at 1.0
and dropout 0.1. Final loss 0.0020 (measured once, plain python)."""
# traindebug-expect: clean
import torch
from torch import nn

torch.manual_seed(0)
vocab, seq_len, n = 12, 16, 3000
tokens = torch.randint(0, vocab, (n, seq_len))
pos3 = torch.where(tokens == 3, torch.arange(seq_len), seq_len).min(dim=1).values
pos7 = torch.where(tokens == 7, torch.arange(seq_len), seq_len).min(dim=1).values
labels = (pos3 < pos7).long()


class SeqClassifier(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(seq_len, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.out = nn.Linear(d, 2)

    def forward(self, t):
        h = self.encoder(self.embed(t) + self.pos)
        return self.out(h.mean(dim=1))


model = SeqClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30))
loss_fn = nn.CrossEntropyLoss()
model.train()
for step in range(250):
    idx = torch.randint(0, n, (64,))
    loss = loss_fn(model(tokens[idx]), labels[idx])
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 50 == 0 or step == 249:
        print(f"step {step} loss {loss.item():.4f}")
