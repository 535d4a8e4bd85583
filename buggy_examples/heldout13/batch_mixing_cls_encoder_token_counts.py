"""Tiny transformer-encoder classifier ([CLS] pooling) on generated token sequences.

Seeded bug (batch_mixing): nn.TransformerEncoderLayer is built with the default
batch_first=False, but the model feeds (batch, seq, d_model) tensors. Self-attention
therefore runs across the samples of the batch at each position, and the [CLS]
vector of sample i only sees the [CLS] vectors of the other samples. Measured
(8 epochs, 192 steps): buggy train loss 0.657, val acc 0.641 (= majority class);
with batch_first=True train loss 0.351, val acc 0.832.
"""
# traindebug-expect: batch_mixing
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(2)

VOCAB, SEQ_LEN, D_MODEL = 10, 13, 32


def make_sequences(n, gen):
    """Label = 1 if token 3 occurs more often than token 7. Position 0 holds the [CLS] id 0."""
    x = torch.randint(1, VOCAB, (n, SEQ_LEN), generator=gen)
    x[:, 0] = 0
    y = ((x == 3).sum(1) > (x == 7).sum(1)).long()
    return x, y


class TinyEncoderClassifier(nn.Module):
    def __init__(self, vocab, d_model, nhead=4, nlayers=1, n_classes=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(SEQ_LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.0)
        self.encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, tokens):
        h = self.embed(tokens) * math.sqrt(D_MODEL) + self.pos
        h = self.encoder(h)
        return self.head(h[:, 0])


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=64):
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        self.bs = batch_size

    def fit(self, x, y, epochs):
        for ep in range(epochs):
            self.model.train()
            perm = torch.randperm(len(x))
            tot = 0.0
            for i in range(0, len(x), self.bs):
                idx = perm[i:i + self.bs]
                loss = F.cross_entropy(self.model(x[idx]), y[idx])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                tot += loss.item() * len(idx)
            yield ep, tot / len(x)

    @torch.no_grad()
    def accuracy(self, x, y):
        self.model.eval()
        preds = torch.cat([self.model(x[i:i + 256]).argmax(1) for i in range(0, len(x), 256)])
        return (preds == y).float().mean().item()


gen = torch.Generator().manual_seed(1)
xtr, ytr = make_sequences(1536, gen)
xva, yva = make_sequences(512, gen)
trainer = Trainer(TinyEncoderClassifier(VOCAB, D_MODEL), lr=2e-3)
for ep, loss in trainer.fit(xtr, ytr, epochs=8):
    if ep % 2 == 1 or ep == 7:
        print(f"epoch {ep} train_loss {loss:.4f} val_acc {trainer.accuracy(xva, yva):.3f}")
