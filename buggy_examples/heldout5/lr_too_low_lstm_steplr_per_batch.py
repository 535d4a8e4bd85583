"""Seeded bug: StepLR is stepped once per *batch* although its step_size was
chosen in epochs.

`StepLR(step_size=3, gamma=0.1)` was meant as "divide the lr by 10 every 3
epochs", but `scheduler.step()` sits inside the batch loop. With 20 batches per
epoch the lr drops from 3e-3 to 3e-9 within the first epoch and to ~0 after
that, so the LSTM barely learns.
Measured (seed 0): final train loss 0.689 (chance ln 2 = 0.693, test acc 0.49,
lr 3e-56 at the end) with the per-batch step vs 0.353 (test acc 0.89) when
scheduler.step() is moved to the end of the epoch loop.
"""
# traindebug-expect: lr_too_low
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

SEQ_LEN = 30
N_TRAIN = 640
N_TEST = 256


def make_data(n):
    # label: does the running sum of the sequence ever exceed +2?
    x = torch.randn(n, SEQ_LEN, 1) * 0.7
    csum = x.squeeze(-1).cumsum(1)
    y = (csum.max(1).values > 2.0).long()
    return x, y


class LSTMClassifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def main():
    xtr, ytr = make_data(N_TRAIN)
    xte, yte = make_data(N_TEST)
    print(f"positive rate {ytr.float().mean():.2f}  chance loss {math.log(2):.3f}")
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=32, shuffle=True)

    model = LSTMClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.1)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(8):
        running = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * xb.size(0)
        te_loss, te_acc = evaluate(model, xte, yte)
        print(f"epoch {epoch:2d} lr {optimizer.param_groups[0]['lr']:.2e} "
              f"train {running / N_TRAIN:.4f} test {te_loss:.4f} acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
