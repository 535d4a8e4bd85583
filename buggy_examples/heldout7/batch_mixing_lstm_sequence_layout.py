"""LSTM regime classifier for synthetic multivariate sensor windows.

Seeded bug (batch_mixing): the DataLoader yields (batch, seq, feat) but nn.LSTM is
built without batch_first=True, so it runs its recurrence across the batch dimension.
out[:, -1, :] then means "last sequence position, every batch entry", and sample i's
prediction depends on samples 0..i-1 in the same batch.

Measured (7 epochs, 280 steps): train_loss 0.437, val_acc 0.843. The fixed copy
(batch_first=True) gets train_loss 0.014, val_acc 0.998.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader, random_split

torch.set_num_threads(1)
torch.manual_seed(99)


class SensorWindows(Dataset):
    """Multivariate sensor windows; label = which regime generated the window."""

    def __init__(self, n=2400, seq_len=30, n_feat=6, n_regimes=3, seed=0):
        rng = np.random.default_rng(seed)
        A = [np.eye(n_feat) * 0.5 + 0.3 * rng.normal(size=(n_feat, n_feat)) / np.sqrt(n_feat)
             for _ in range(n_regimes)]
        drift = rng.normal(0, 0.15, size=(n_regimes, n_feat))
        self.x = np.zeros((n, seq_len, n_feat), dtype=np.float32)
        self.y = rng.integers(0, n_regimes, n)
        for i in range(n):
            h = rng.normal(size=n_feat)
            for t in range(seq_len):
                h = A[self.y[i]] @ h + drift[self.y[i]] + 0.5 * rng.normal(size=n_feat)
                self.x[i, t] = h
        self.x = torch.from_numpy(self.x)
        self.y = torch.from_numpy(self.y).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class RegimeLSTM(nn.Module):
    def __init__(self, n_feat=6, hidden=48, n_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(n_feat, hidden, num_layers=1)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, n_classes))

    def forward(self, x):
        out, _ = self.lstm(x)          # x: (batch, seq, feat)
        last = out[:, -1, :]           # hidden state at the final time step
        return self.head(last)


ds = SensorWindows()
train_ds, val_ds = random_split(ds, [2000, 400], generator=torch.Generator().manual_seed(0))
train_dl = DataLoader(train_ds, batch_size=50, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=50)

model = RegimeLSTM()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.85)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(7):
    model.train()
    tl = []
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        tl.append(loss.item())
    scheduler.step()
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in val_dl:
            correct += (model(xb).argmax(-1) == yb).sum().item()
            total += len(yb)
    print(f"epoch {epoch+1}: train_loss={np.mean(tl):.4f} val_acc={correct/total:.3f}")
