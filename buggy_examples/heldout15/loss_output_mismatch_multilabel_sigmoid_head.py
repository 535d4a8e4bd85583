"""Multi-label tag classifier (8 independent tags) on synthetic multi-label data.

Seeded bug (loss_output_mismatch): TagNet.forward applies torch.sigmoid to the
head and the result is fed to nn.BCEWithLogitsLoss, which applies a second
sigmoid internally. Outputs are already probabilities in (0, 1), so the loss
sees "logits" squeezed into (0, 1) -> effective probabilities in (0.5, 0.73)
and a loss floor well above zero.

Measured (282 Adam steps): buggy train BCE 0.683 (stuck near its floor),
val micro-F1 0.178; fixed copy (return raw logits, sigmoid only for metrics)
train BCE 0.468, val micro-F1 0.639.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, Y = make_multilabel_classification(n_samples=4000, n_features=40, n_classes=8,
                                      n_labels=3, random_state=0)
X_tr, X_va, Y_tr, Y_va = train_test_split(X, Y, test_size=0.25, random_state=0)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(sc.transform(X_va), dtype=torch.float32)
Y_tr = torch.tensor(Y_tr, dtype=torch.float32)
Y_va = torch.tensor(Y_va, dtype=torch.float32)


class TagNet(nn.Module):
    def __init__(self, d_in, n_tags, hidden=128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_tags)

    def forward(self, x):
        # per-tag probabilities, thresholded at 0.5 downstream
        return torch.sigmoid(self.head(self.body(x)))


def micro_f1(probs, target, thr=0.5):
    pred = (probs > thr).float()
    tp = (pred * target).sum()
    fp = (pred * (1 - target)).sum()
    fn = ((1 - pred) * target).sum()
    return (2 * tp / (2 * tp + fp + fn + 1e-9)).item()


model = TagNet(X_tr.shape[1], Y_tr.shape[1])
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

batch_size = 64
n = X_tr.shape[0]
step = 0
for epoch in range(6):
    model.train()
    perm = torch.randperm(n)
    running = 0.0
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        out = model(X_tr[idx])
        loss = criterion(out, Y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
        step += 1
    model.eval()
    with torch.no_grad():
        p_va = model(X_va)
        va_loss = criterion(p_va, Y_va).item()
        f1 = micro_f1(p_va, Y_va)
    print(f"epoch {epoch:2d} step {step:4d} train_loss {running / n:.4f} "
          f"val_loss {va_loss:.4f} val_microF1 {f1:.3f}")
