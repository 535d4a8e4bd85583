"""
Character-level CNN for language identification on synthetic text: four
"languages" are first-order Markov chains over a 24-symbol alphabet, strings
of 48 characters. Embedding(24, 32, std 0.4) -> Conv1d(32, 96, k=3) ->
thresholded rectifier -> global max-pool -> Linear(96, 96)
-> ReLU -> Linear(96, 4). Adam lr 3e-3, batch 64, 8 epochs
(200 steps), DataLoader with shuffling.

Seeded bug: the conv features go through a thresholded rectifier
(F.threshold(h, theta, 0), "TRec" from the zero-bias autoencoder paper) with
theta = 1.0 copied from the paper, where inputs were whitened and
pre-activations were of order one. Here the embeddings are initialised with
std 0.4, so conv pre-activations have std ~0.3 and almost never exceed 1.0:
89 of the 96 conv units output exactly zero for every training string (only
1.1% of all unit-positions ever fire), get no gradient and stay dead.
A realistic hyper-parameter-copying mistake.

Measured (seed 0, 1 thread): buggy final train loss 0.123, test accuracy
0.955; fixed copy (theta = 0.0, i.e. plain ReLU) train loss 0.0008, test
accuracy 1.000.
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, SEQ_LEN, N_LANG = 24, 48, 4
THETA = 1.0


def make_corpus(n_per_lang):
    xs, ys = [], []
    for lang in range(N_LANG):
        trans = rng.dirichlet(np.full(VOCAB, 0.3), size=VOCAB)
        cum = trans.cumsum(1)
        seq = np.empty((n_per_lang, SEQ_LEN), dtype=np.int64)
        seq[:, 0] = rng.integers(0, VOCAB, n_per_lang)
        for t in range(1, SEQ_LEN):
            u = rng.random((n_per_lang, 1))
            seq[:, t] = (u > cum[seq[:, t - 1]]).sum(1).clip(max=VOCAB - 1)
        xs.append(seq)
        ys.append(np.full(n_per_lang, lang))
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


class CharCNN(nn.Module):
    def __init__(self, vocab, emb=32, channels=96, n_out=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        nn.init.normal_(self.emb.weight, std=0.4)
        self.conv = nn.Conv1d(emb, channels, kernel_size=3, padding=1)
        self.fc = nn.Linear(channels, channels)
        self.out = nn.Linear(channels, n_out)

    def forward(self, x):
        h = self.emb(x).transpose(1, 2)
        h = F.threshold(self.conv(h), THETA, 0.0)
        h = h.max(dim=2).values
        return self.out(F.relu(self.fc(h)))


x, y = make_corpus(500)
perm = torch.randperm(len(y))
x, y = x[perm], y[perm]
x_tr, y_tr, x_te, y_te = x[:1600], y[:1600], x[1600:], y[1600:]
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)

model = CharCNN(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(8):
    model.train()
    total = 0.0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        acc = (model(x_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch}  train loss {total / len(y_tr):.4f}  test acc {acc:.3f}")

print(f"final test accuracy: {acc:.3f}")
