"""Seeded bug: a small Transformer encoder classifies token sequences (is token
3 before token 7, plus 2 distractor classes from the sequence sum). The model's
head ends in nn.Softmax "so predict() returns probabilities", and the training
loss is CrossEntropyLoss(label_smoothing=0.1) on those probabilities, which
applies log_softmax a second time and squashes the gradients. Final loss 0.850 vs 0.444 fixed (head without Softmax)."""
# traindebug-expect: loss_output_mismatch
import torch
from torch import nn

torch.manual_seed(0)
vocab, seq_len, n = 12, 16, 3000
tokens = torch.randint(0, vocab, (n, seq_len))
pos3 = torch.where(tokens == 3, torch.arange(seq_len), seq_len).min(dim=1).values
pos7 = torch.where(tokens == 7, torch.arange(seq_len), seq_len).min(dim=1).values
labels = (pos3 < pos7).long() * 2 + (tokens.sum(dim=1) > tokens.sum(dim=1).median()).long()


class SeqClassifier(nn.Module):
    def __init__(self, d=32, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(seq_len, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Sequential(nn.Linear(d, classes), nn.Softmax(dim=-1))

    def forward(self, t):
        h = self.encoder(self.embed(t) + self.pos)
        return self.head(h.mean(dim=1))


model = SeqClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30))
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
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
