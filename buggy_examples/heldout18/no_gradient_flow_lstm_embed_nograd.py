"""LSTM classifier for event order in multichannel sensor sequences (Adam + cosine schedule).

Seeded bug: the embed() method, which is also used to export embeddings for a
nearest-neighbour index, is decorated with @torch.no_grad(). forward() reuses it
during training, so the input projection and all LSTM weights never receive a
gradient (.grad stays None) and remain at their random init; only the MLP head
learns, on top of random recurrent features that cannot represent event order.
Measured (10 epochs, 310 steps): buggy train loss 1.32, val acc 0.328 (chance
0.25); fixed (decorator removed from the training path) train loss 0.008,
val acc 0.996.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(8)

SEQ_LEN, N_CH = 30, 5


def make_event_sequences(n, rng):
    """Sensor traces with two kinds of transient; label = which event type occurs first
    (0: A before B, 1: B before A, 2: only A, 3: only B)."""
    x = 0.3 * rng.standard_normal((n, SEQ_LEN, N_CH)).astype(np.float32)
    y = rng.integers(0, 4, n)
    for i in range(n):
        ta, tb = rng.choice(SEQ_LEN, size=2, replace=False)
        if y[i] in (0, 1) and (ta < tb) != (y[i] == 0):
            ta, tb = tb, ta
        if y[i] != 3:
            x[i, ta, 0] += 2.0
            x[i, ta, 2] -= 1.0
        if y[i] != 2:
            x[i, tb, 1] += 2.0
            x[i, tb, 2] -= 1.0
    return torch.from_numpy(x), torch.from_numpy(y)


class EventOrderNet(nn.Module):
    def __init__(self, n_in, hidden=48, n_classes=4):
        super().__init__()
        self.inp = nn.Linear(n_in, hidden)
        self.rnn = nn.LSTM(hidden, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    @torch.no_grad()
    def embed(self, x):
        """Fixed-size sequence embedding; also exported for the nearest-neighbour index."""
        _, (h, _) = self.rnn(torch.tanh(self.inp(x)))
        return h[-1]

    def forward(self, x):
        return self.head(self.embed(x))


def main():
    rng = np.random.default_rng(8)
    xtr, ytr = make_event_sequences(2000, rng)
    xva, yva = make_event_sequences(500, rng)

    model = EventOrderNet(N_CH)
    opt = torch.optim.Adam(model.parameters(), lr=4e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=320)
    bs = 64
    step = 0
    for epoch in range(10):
        model.train()
        perm = torch.randperm(len(xtr))
        losses = []
        for i in range(0, len(xtr) - bs + 1, bs):
            j = perm[i:i + bs]
            loss = F.cross_entropy(model(xtr[j]), ytr[j])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            acc = (model(xva).argmax(1) == yva).float().mean().item()
        if epoch % 2 == 1:
            print(f"epoch {epoch + 1:2d}  step {step}  train_loss {np.mean(losses):.4f}  val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
