"""Seeded bug (missing_zero_grad): in TripletTrainer.fit, opt.zero_grad() sits at the top of the epoch
loop instead of inside the step loop, so gradients accumulate over the 40 steps of each epoch.
Measured: final triplet loss 0.023, 1-NN test acc 0.879; fixed (zero_grad each step): loss 0.005,
1-NN acc 0.90-0.92 (0.909 after epoch 1 vs 0.874).
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits


class Embedder(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, dim))

    def forward(self, x):
        return F.normalize(self.net(x), dim=-1)


class TripletTrainer:
    def __init__(self, model, lr=0.05, margin=0.3, batch=64, seed=0):
        self.model, self.margin, self.batch = model, margin, batch
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        self.rng = np.random.default_rng(seed)

    def sample(self, X, y):
        a = self.rng.integers(0, len(X), self.batch)
        pos, neg = [], []
        for i in a:
            same = self.by_class[y[i]]
            pos.append(same[self.rng.integers(len(same))])
            other = self.rng.integers(len(X))
            while y[other] == y[i]:
                other = self.rng.integers(len(X))
            neg.append(other)
        return X[a], X[pos], X[neg]

    def fit(self, X, y, epochs, steps_per_epoch):
        self.by_class = {c: np.where(y == c)[0] for c in np.unique(y)}
        Xt = torch.tensor(X, dtype=torch.float32)
        for ep in range(epochs):
            self.model.train()
            self.opt.zero_grad()
            run = 0.0
            for _ in range(steps_per_epoch):
                a, p, n = self.sample(Xt, y)
                loss = F.triplet_margin_loss(self.model(a), self.model(p), self.model(n), margin=self.margin)
                loss.backward()
                self.opt.step()
                run += loss.item()
            yield ep, run / steps_per_epoch


def knn_acc(model, Xtr, ytr, Xte, yte):
    model.eval()
    with torch.no_grad():
        etr = model(torch.tensor(Xtr, dtype=torch.float32))
        ete = model(torch.tensor(Xte, dtype=torch.float32))
    nn_idx = (ete @ etr.T).argmax(1).numpy()
    return (ytr[nn_idx] == yte).mean()


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]
    trainer = TripletTrainer(Embedder())
    for ep, l in trainer.fit(Xtr, ytr, epochs=6, steps_per_epoch=40):
        print(f"epoch {ep + 1} triplet_loss {l:.4f} 1nn_acc {knn_acc(trainer.model, Xtr, ytr, Xte, yte):.3f}")
