"""GRU classifier for noisy 1-D sensor traces (three simulated machine states),
torch DataLoader pipeline, gradient clipping, per-epoch test accuracy.

Seeded bug (unshuffled_data): `build_split` generates the data class by class
and concatenates the blocks, and the training DataLoader uses shuffle=False.
Every minibatch therefore contains a single class and each epoch walks through
class 0, then 1, then 2, so the network keeps re-fitting to whichever state it
saw last.

Measured (9 epochs, 306 steps): training loss only 1.106 at the end (ln 3 =
1.099), test accuracy 0.33-0.41.  Fixed copy (shuffle=True): training loss
0.529, test accuracy 0.60-0.67.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
torch.set_num_threads(1)

SEQ_LEN, N_PER_CLASS = 32, 360
t = np.linspace(0, 1, SEQ_LEN, dtype=np.float32)


def simulate(kind, n):
    """Noisy sensor traces of three machine states."""
    f = rng.uniform(2.0, 4.0, (n, 1))
    ph = rng.uniform(0, 2 * np.pi, (n, 1))
    if kind == 0:      # smooth oscillation
        s = np.sin(2 * np.pi * f * t + ph)
    elif kind == 1:    # clipped / square-ish oscillation
        s = np.sign(np.sin(2 * np.pi * f * t + ph)) * 0.8
    else:              # drifting oscillation
        s = 0.5 * np.sin(2 * np.pi * f * t + ph) + rng.uniform(-2, 2, (n, 1)) * (t - 0.5)
    return (s + 0.5 * rng.standard_normal((n, SEQ_LEN))).astype(np.float32)


def build_split(n_per_class):
    xs, ys = [], []
    for c in range(3):
        xs.append(simulate(c, n_per_class))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs)[..., None], np.concatenate(ys)


X_tr, y_tr = build_split(N_PER_CLASS)
X_te, y_te = build_split(150)

train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                      batch_size=32, shuffle=False)
test_dl = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)),
                     batch_size=256)


class GRUClassifier(nn.Module):
    def __init__(self, hidden=32, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.fc(h[-1])


def accuracy(model, dl):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in dl:
            correct += (model(xb).argmax(1) == yb).sum().item()
    model.train()
    return correct / len(dl.dataset)


model = GRUClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(9):
    tot = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tot += loss.item() * len(xb)
    print(f"epoch {epoch}  train loss {tot / len(train_dl.dataset):.4f}  test acc {accuracy(model, test_dl):.3f}")
