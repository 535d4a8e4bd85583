"""Seeded bug: a tiny transformer-encoder classifies token sequences; the
dataset is generated class by class and the DataLoader uses shuffle=False, so
each batch holds a single class."""
# traindebug-expect: unshuffled_data
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

VOCAB, LENGTH, CLASSES = 32, 20, 4


class TokenDataset(Dataset):
    """Class c: tokens drawn mostly from its own slice of the vocabulary."""

    def __init__(self, per_class=400, seed=0):
        g = torch.Generator().manual_seed(seed)
        xs, ys = [], []
        for c in range(CLASSES):
            own = torch.randint(c * 8, c * 8 + 8, (per_class, LENGTH), generator=g)
            noise = torch.randint(0, VOCAB, (per_class, LENGTH), generator=g)
            mask = torch.rand(per_class, LENGTH, generator=g) < 0.6
            xs.append(torch.where(mask, noise, own))
            ys.append(torch.full((per_class,), c))
        self.x, self.y = torch.cat(xs), torch.cat(ys)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class TinyTransformer(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.randn(1, LENGTH, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d, CLASSES)

    def forward(self, tokens):
        h = self.encoder(self.emb(tokens) + self.pos)
        return self.head(h.mean(1))


torch.manual_seed(0)
loader = DataLoader(TokenDataset(), batch_size=32, shuffle=False)  # BUG: class-ordered batches
model = TinyTransformer()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
for epoch in range(6):
    for tokens, labels in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(tokens), labels)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
