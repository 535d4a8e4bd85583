"""Seeded bug: a siamese network with a tanh embedding layer trained with a
cosine-embedding (contrastive) loss on pairs of digits. The author
initialised the encoder "from the paper" with nn.init.normal_(w, 0, 1) -
forgetting the 1/sqrt(fan_in) - so with 64 standardised inputs the tanh
pre-activations have std ~8 and most units sit at +-1. Pair accuracy
after 300 steps is ~0.79 vs ~0.92 with the default init (measured)."""
# traindebug-expect: saturated_units
import torch
from sklearn.datasets import load_digits
from torch import nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 32)
        for fc in (self.fc1, self.fc2):
            nn.init.normal_(fc.weight, 0.0, 1.0)  # BUG: std should be ~1/sqrt(fan_in)
            nn.init.zeros_(fc.bias)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def sample_pairs(y, n, gen):
    a = torch.randint(0, len(y), (n,), generator=gen)
    same = torch.rand(n, generator=gen) < 0.5
    b = torch.randint(0, len(y), (n,), generator=gen)
    for i in torch.nonzero(same).flatten().tolist():
        pool = torch.nonzero(y == y[a[i]]).flatten()
        b[i] = pool[torch.randint(0, len(pool), (1,), generator=gen)]
    target = torch.where(y[a] == y[b], 1.0, -1.0)
    return a, b, target


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / (X.std(0) + 1e-6), dtype=torch.float32)
y = torch.tensor(y)
enc = Encoder()
criterion = nn.CosineEmbeddingLoss(margin=0.3)
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
gen = torch.Generator().manual_seed(0)
for step in range(300):
    a, b, t = sample_pairs(y, 64, gen)
    loss = criterion(enc(X[a]), enc(X[b]), t)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 99:
        with torch.no_grad():
            a, b, t = sample_pairs(y, 1000, gen)
            sim = nn.functional.cosine_similarity(enc(X[a]), enc(X[b]))
            print(step, loss.item(), "pair acc", ((sim > 0.5) == (t > 0)).float().mean().item())
