"""Breast-cancer classifier (30 standardised features -> 64 -> 64 -> 2, tanh) trained
with a hand-written momentum-SGD update (`with torch.no_grad(): p -= LR * v`),
no optimizer object, 14 epochs x 14 steps = 196 steps.

Seeded bug: the loss is computed with `reduction="sum"` while LR=0.05 was picked
for a per-sample mean loss (the logged value is divided by the batch size, so
the log looks like a mean). The effective step is 32x larger than intended
(lr 1.6 with momentum 0.9): the loss jumps around instead of decreasing.

Measured: buggy train loss per epoch oscillates 1.6-4.7 (epoch 0: 2.97, last: 2.30),
test loss 0.78-9.3, final test acc 0.811. With reduction="mean": train loss
0.30 -> 0.025, test loss 0.105, test acc 0.965.
"""
# traindebug-expect: lr_too_high
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(3)
np.random.seed(3)

LR = 0.05
BATCH = 32
EPOCHS = 14
MOMENTUM = 0.9


class TumorNet(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x):
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.out(x)


def batches(n, bs, rng):
    idx = rng.permutation(n)
    for i in range(0, n, bs):
        yield idx[i:i + bs]


def main():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
    y_tr = torch.tensor(y_tr)
    y_te = torch.tensor(y_te)

    model = TumorNet(X_tr.shape[1])
    params = [p for p in model.parameters() if p.requires_grad]
    velocity = [torch.zeros_like(p) for p in params]
    rng = np.random.default_rng(0)

    step = 0
    for epoch in range(EPOCHS):
        running = []
        for idx in batches(len(X_tr), BATCH, rng):
            xb, yb = X_tr[idx], y_tr[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, reduction="sum")
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p, v in zip(params, velocity):
                    v.mul_(MOMENTUM).add_(p.grad)
                    p -= LR * v
            running.append(loss.item() / len(idx))
            step += 1
        with torch.no_grad():
            te_logits = model(X_te)
            te_loss = F.cross_entropy(te_logits, y_te).item()
            te_acc = (te_logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} step {step:3d} train_loss {np.mean(running):.4f} "
              f"test_loss {te_loss:.4f} test_acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
