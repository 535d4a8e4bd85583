"""GRU + embedding classifier on synthetic token-count sequences, SGD + CyclicLR.

Healthy control. Pattern that may fool a naive detector: a triangular2 cyclical
learning rate that swings 10x (0.02 -> 0.2 -> 0.02) every 100 steps, so the lr
repeatedly rises and the minibatch loss wiggles with the cycle; this is
intended, not divergence.
Measured (350 steps): train loss 0.74 -> 0.14, val loss 0.19 -> 0.116, val acc
0.94 -> 0.956.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)


class CountingDataset(Dataset):
    """Token sequences; label = which of 3 marker tokens appears most often."""

    def __init__(self, n, seq_len=30, vocab=20, seed=0):
        rng = np.random.default_rng(seed)
        self.x = rng.integers(3, vocab, size=(n, seq_len))
        self.y = rng.integers(0, 3, size=n)
        for i, c in enumerate(self.y):
            counts = rng.multinomial(9, [0.2, 0.2, 0.2, 0.4])
            counts[c] += 4
            pos = rng.choice(seq_len, size=counts[:3].sum(), replace=False)
            self.x[i, pos] = np.repeat(np.arange(3), counts[:3])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.tensor(self.x[i]), torch.tensor(self.y[i])


class GRUClassifier(nn.Module):
    def __init__(self, vocab=20, emb=16, hidden=48, n_classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.gru(self.emb(x))
        return self.fc(out.mean(1))


train_dl = DataLoader(CountingDataset(1600, seed=0), batch_size=32, shuffle=True,
                      generator=torch.Generator().manual_seed(0))
val_dl = DataLoader(CountingDataset(500, seed=1), batch_size=250)

model = GRUClassifier()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
# triangular2 cyclical LR: the rate climbs 10x and back every 100 steps, peak halves each cycle
sched = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.02, max_lr=0.2, step_size_up=50,
                                          mode="triangular2")
crit = nn.CrossEntropyLoss()

step = 0
for epoch in range(7):
    model.train()
    losses = []
    for xb, yb in train_dl:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        step += 1
    model.eval()
    correct, vl, n = 0, 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            out = model(xb)
            vl += crit(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    print(f"epoch {epoch+1} step {step} lr {sched.get_last_lr()[0]:.3f} "
          f"train {np.mean(losses):.4f} val {vl/n:.4f} acc {correct/n:.3f}")
