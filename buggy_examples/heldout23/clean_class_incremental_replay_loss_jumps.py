"""Healthy control: class-incremental (continual) learning on 8x8 sklearn digits.
Five tasks of two new classes each ((0,1), (2,3), ... (8,9)), one shared 10-way
small conv net, Adam, 60 steps per task (300 total); every batch mixes 16
samples of the current task with 48 samples from a reservoir replay buffer
(300 slots) of earlier tasks. After each task, test accuracy on all classes
seen so far is reported.

Legitimate pattern that can fool a naive detector: the training loss jumps
sharply every time a new task arrives (the new classes' logits were never
trained), e.g. from 0.022 at the end of task 0 to 4.58 at the start of task 1,
and to 2.96 / 3.82 / 3.14 at the starts of tasks 2-4, which looks like a
divergence spike / lr problem if tasks are ignored. Batches are also, by
construction, label-skewed toward the current task's two classes.

Measured healthy run: within each task the loss falls back to 0.02-0.54
(last 10 steps); accuracy on all seen classes after each task 1.000, 0.885,
0.929, 0.942, 0.915 (final accuracy over all 10 classes 0.915; per-task
0.92/0.87/0.91/0.94/0.94, so replay prevents catastrophic forgetting).
"""
# traindebug-expect: clean
import random
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(4)
random.seed(4)

TASKS = [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
STEPS_PER_TASK = 60
BATCH = 16
REPLAY_PER_BATCH = 48
BUFFER_SIZE = 300


class ReservoirBuffer:
    def __init__(self, capacity):
        self.capacity, self.seen = capacity, 0
        self.x, self.y = [], []

    def add(self, xb, yb):
        for xi, yi in zip(xb, yb):
            self.seen += 1
            if len(self.x) < self.capacity:
                self.x.append(xi)
                self.y.append(yi)
            else:
                j = random.randrange(self.seen)
                if j < self.capacity:
                    self.x[j], self.y[j] = xi, yi

    def sample(self, n):
        idx = random.sample(range(len(self.x)), min(n, len(self.x)))
        return torch.stack([self.x[i] for i in idx]), torch.stack([self.y[i] for i in idx])

    def __len__(self):
        return len(self.x)


class SmallConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(16 * 4 * 4, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def accuracy_on(model, x, y, classes):
    mask = torch.isin(y, torch.tensor(classes))
    with torch.no_grad():
        pred = model(x[mask]).argmax(1)
    return (pred == y[mask]).float().mean().item()


def main():
    d = load_digits()
    X = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)

    model = SmallConvNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    buffer = ReservoirBuffer(BUFFER_SIZE)
    g = torch.Generator().manual_seed(0)
    seen = []

    for t, classes in enumerate(TASKS):
        mask = torch.isin(y_tr, torch.tensor(classes))
        xt, yt = X_tr[mask], y_tr[mask]
        seen += list(classes)
        losses = []
        model.train()
        for step in range(STEPS_PER_TASK):
            idx = torch.randint(0, len(xt), (BATCH,), generator=g)
            xb, yb = xt[idx], yt[idx]
            if len(buffer):
                rx, ry = buffer.sample(REPLAY_PER_BATCH)
                xb, yb = torch.cat([xb, rx]), torch.cat([yb, ry])
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            buffer.add(xt[idx[:8]], yt[idx[:8]])
        model.eval()
        per_task = [accuracy_on(model, X_te, y_te, list(c)) for c in TASKS[:t + 1]]
        print(f"task {t} classes {classes}: loss first5 {np.mean(losses[:5]):.3f} last10 {np.mean(losses[-10:]):.3f} "
              f"| acc seen {accuracy_on(model, X_te, y_te, seen):.3f} per-task "
              + " ".join(f"{a:.2f}" for a in per_task))


if __name__ == "__main__":
    main()
