"""Siamese same/different classifier on sklearn digits pairs (shared MLP tower, |e_a - e_b| head).

Seeded bug: Tower.reset_parameters() draws every weight from N(0, 1) (std=1.0 instead of a
fan-in scaled init such as kaiming_normal_). With 64/128-wide layers the embedding scale grows by
~sqrt(fan_in) per layer, so the logits at step 0 are in the tens/hundreds.
Measured: first-step BCE loss 47.8 vs ln 2 = 0.69;
epoch-0 mean loss 914, then the network collapses to a constant output: test pair accuracy
0.500 after every epoch. Fixed copy (kaiming_normal_): first loss 0.69, pair accuracy
0.725 / 0.829 / 0.860 after
epochs 0/1/2 (189 steps), train loss 0.603 -> 0.265.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(3)
np.random.seed(3)


class DigitPairs(Dataset):
    """Random same/different-class pairs, balanced 50/50."""

    def __init__(self, X, y, n_pairs, seed):
        rng = np.random.default_rng(seed)
        self.X = torch.tensor(X, dtype=torch.float32)
        by_cls = [np.where(y == c)[0] for c in range(10)]
        a, b, s = [], [], []
        for i in range(n_pairs):
            c = rng.integers(10)
            i1 = rng.choice(by_cls[c])
            if i % 2 == 0:
                i2 = rng.choice(by_cls[c])
                same = 1.0
            else:
                c2 = (c + rng.integers(1, 10)) % 10
                i2 = rng.choice(by_cls[c2])
                same = 0.0
            a.append(i1); b.append(i2); s.append(same)
        self.a = torch.tensor(a); self.b = torch.tensor(b)
        self.s = torch.tensor(s)

    def __len__(self):
        return len(self.s)

    def __getitem__(self, k):
        return self.X[self.a[k]], self.X[self.b[k]], self.s[k]


class Tower(nn.Module):
    def __init__(self, d_in=64, d_hid=128, d_emb=32):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hid)
        self.fc2 = nn.Linear(d_hid, d_hid)
        self.out = nn.Linear(d_hid, d_emb)
        self.reset_parameters()

    def reset_parameters(self):
        for m in (self.fc1, self.fc2, self.out):
            nn.init.normal_(m.weight, mean=0.0, std=1.0)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


class Siamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.tower = Tower()
        self.head = nn.Linear(32, 1)

    def forward(self, xa, xb):
        ea, eb = self.tower(xa), self.tower(xb)
        return self.head((ea - eb).abs()).squeeze(-1)


def pair_accuracy(model, loader):
    model.eval()
    hit = n = 0
    with torch.no_grad():
        for xa, xb, s in loader:
            pred = (model(xa, xb) > 0).float()
            hit += (pred == s).sum().item(); n += len(s)
    model.train()
    return hit / n


def main():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    train_dl = DataLoader(DigitPairs(Xtr, ytr, 4000, 1), batch_size=64, shuffle=True)
    test_dl = DataLoader(DigitPairs(Xte, yte, 800, 2), batch_size=256)

    model = Siamese()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    crit = nn.BCEWithLogitsLoss()

    step = 0
    for epoch in range(3):
        running = 0.0
        for xa, xb, s in train_dl:
            logit = model(xa, xb)
            loss = crit(logit, s)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item(); step += 1
            if step == 1:
                print(f"first-step loss {loss.item():.3f}")
        print(f"epoch {epoch} loss {running / len(train_dl):.4f} "
              f"pair-acc {pair_accuracy(model, test_dl):.3f}")
    print(f"steps {step}")


if __name__ == "__main__":
    main()
