"""Hierarchical classifier (3 coarse groups x 3 fine classes each) with a
shared trunk, a coarse head and a fine head; loss = coarse CE + fine CE.

Seeded bug (unshuffled_data): the data set is assembled group by group and
class by class, the validation rows are taken with a modulo mask (which keeps
that order), and the hand-written batch iterator walks the training rows
sequentially.  Every mini-batch contains one or two fine classes only and each
epoch ends on the last group, so the model keeps drifting toward whatever
it saw last.
Measured (this file vs. a copy that permutes the training rows each epoch;
12 epochs, 300 steps): final mean train loss 2.81 vs 0.008; val fine accuracy
0.222 vs 0.997; val coarse accuracy 0.664 vs 1.000.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(5)
rng = np.random.default_rng(5)

N_COARSE, FINE_PER = 3, 3
D = 16


def build_dataset(per_class=200):
    xs, fine, coarse = [], [], []
    group_centres = rng.normal(0, 3.0, (N_COARSE, D))
    for c in range(N_COARSE):
        for f in range(FINE_PER):
            centre = group_centres[c] + rng.normal(0, 1.2, D)
            xs.append(centre + rng.normal(0, 1.0, (per_class, D)))
            fine += [c * FINE_PER + f] * per_class
            coarse += [c] * per_class
    X = np.concatenate(xs).astype(np.float32)
    return torch.from_numpy(X), torch.tensor(fine), torch.tensor(coarse)


class HierNet(nn.Module):
    def __init__(self, d_in=D, hidden=64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.coarse_head = nn.Linear(hidden, N_COARSE)
        # the fine head is conditioned on the coarse prediction
        self.fine_head = nn.Linear(hidden + N_COARSE, N_COARSE * FINE_PER)

    def forward(self, x):
        h = self.trunk(x)
        coarse = self.coarse_head(h)
        fine = self.fine_head(torch.cat([h, coarse.softmax(1)], 1))
        return coarse, fine


def batches(n, bs):
    for i in range(0, n, bs):
        yield slice(i, min(i + bs, n))


def main():
    X, yf, yc = build_dataset()
    val_mask = (torch.arange(len(X)) % 5) == 0
    Xtr, yftr, yctr = X[~val_mask], yf[~val_mask], yc[~val_mask]
    Xva, yfva, ycva = X[val_mask], yf[val_mask], yc[val_mask]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    model = HierNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    for epoch in range(12):
        model.train()
        tot = 0.0
        for sl in batches(len(Xtr), 58):
            coarse, fine = model(Xtr[sl])
            loss = F.cross_entropy(coarse, yctr[sl]) + F.cross_entropy(fine, yftr[sl])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
        model.eval()
        with torch.no_grad():
            c, f = model(Xva)
            acc_c = (c.argmax(1) == ycva).float().mean().item()
            acc_f = (f.argmax(1) == yfva).float().mean().item()
        print(f"epoch {epoch + 1:2d} loss {tot / 25:.3f} val coarse {acc_c:.3f} fine {acc_f:.3f}")


if __name__ == "__main__":
    main()
