"""GRU burst detector on synthetic 3-channel sensor sequences, RMSprop, grad clipping.

Seeded bug (label_problem, wrong label range): the targets are encoded as
+1/-1 (a leftover from a margin-based baseline) but are fed to
BCEWithLogitsLoss, which expects targets in [0, 1]. For y = -1 the loss is
unbounded below, so training mostly drives negatives' logits to -inf instead
of learning the burst pattern.
Measured (240 steps): buggy train loss goes negative (0.01 -> -4.25), val acc
0.49 -> 0.635 (best 0.705, noisy); fixed (0/1 targets): train loss 0.37,
val acc 0.82-0.84.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(5)
rng = np.random.default_rng(5)

SEQ_LEN, N_FEAT, N = 30, 3, 1500


def make_sequences(n):
    """Sensor traces; positive class = a short burst on channel 0 somewhere in the window."""
    x = rng.normal(0.0, 1.0, (n, SEQ_LEN, N_FEAT)).astype(np.float32)
    has_event = rng.random(n) < 0.5
    for i in np.where(has_event)[0]:
        s = rng.integers(0, SEQ_LEN - 5)
        x[i, s:s + 5, 0] += 1.2
        x[i, s:s + 5, 1] -= 0.6
    # targets encoded as +1 / -1 (shared with the margin-based baseline in the old pipeline)
    y = np.where(has_event, 1.0, -1.0).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


X_tr, y_tr = make_sequences(N)
X_va, y_va = make_sequences(400)


class BurstGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(N_FEAT, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out.max(dim=1).values).squeeze(-1)


model = BurstGRU()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=2e-3)

batch_size = 50
steps = 0
for epoch in range(8):
    order = torch.randperm(N)
    running = 0.0
    for b in range(0, N, batch_size):
        idx = order[b:b + batch_size]
        logits = model(X_tr[idx])
        loss = criterion(logits, y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        running += loss.item()
        steps += 1
    model.eval()
    with torch.no_grad():
        prob = torch.sigmoid(model(X_va))
        pred = (prob > 0.5).float() * 2 - 1
        acc = (pred == y_va).float().mean().item()
    model.train()
    print(f"epoch {epoch + 1} steps {steps} train_loss {running / (N // batch_size):.4f} val_acc {acc:.3f}")
