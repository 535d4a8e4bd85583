"""
GRU encoder + GRUCell decoder seq2seq forecaster for noisy sine windows of random period and
amplitude (30 past values -> 12 ahead). Adam lr 3e-3, batch 32, 8 epochs (200 steps), hand-written
loop with scheduled sampling: the teacher-forcing probability decays linearly from 1 to 0 over
the first 70% of training; validation is always free-running.

Healthy control: scheduled sampling is a standard remedy for exposure bias; the model ends with a
free-running validation MSE far below the zero forecast.
Possible false alarm: the training loss rises in the middle of the run (0.068 at epoch 3 ->
0.169 at epoch 6) because the decoder is progressively fed its own predictions instead of the
ground truth, which a naive detector may read as divergence / too high a learning rate.

Measured (seed 0, 1 thread): train MSE per epoch 0.317, 0.086, 0.068, 0.079, 0.142, 0.169,
0.109, 0.057; final free-running MSE train 0.037, val 0.039 (zero forecast 0.545).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONTEXT, HORIZON, HIDDEN = 30, 12, 48
EPOCHS, BATCH = 8, 32


def make_windows(n, rng):
    t = np.arange(CONTEXT + HORIZON)[None, :]
    p = rng.uniform(10, 30, (n, 1))
    ph = rng.uniform(0, 2 * np.pi, (n, 1))
    x = np.sin(2 * np.pi * t / p + ph) * rng.uniform(0.5, 1.5, (n, 1)) + rng.normal(0, 0.05, (n, t.shape[1]))
    x = torch.tensor(x, dtype=torch.float32)
    return x[:, :CONTEXT], x[:, CONTEXT:]


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.GRU(1, HIDDEN, batch_first=True)
        self.cell = nn.GRUCell(1, HIDDEN)
        self.out = nn.Linear(HIDDEN, 1)

    def forward(self, src, tgt=None, teacher_p=0.0):
        _, h = self.enc(src.unsqueeze(-1))
        h = h[0]
        inp = src[:, -1:]
        preds = []
        for t in range(HORIZON):
            h = self.cell(inp, h)
            y = self.out(h)
            preds.append(y)
            if tgt is not None and torch.rand(()) < teacher_p:
                inp = tgt[:, t:t + 1]
            else:
                inp = y
        return torch.cat(preds, 1)


rng = np.random.default_rng(0)
x_tr, y_tr = make_windows(800, rng)
x_va, y_va = make_windows(300, rng)
model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
mse = nn.MSELoss()
steps_per_epoch = len(x_tr) // BATCH
total_steps = EPOCHS * steps_per_epoch

step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(len(x_tr))
    run = 0.0
    for i in range(steps_per_epoch):
        idx = perm[i * BATCH:(i + 1) * BATCH]
        teacher_p = max(0.0, 1.0 - step / (0.7 * total_steps))
        loss = mse(model(x_tr[idx], y_tr[idx], teacher_p), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item()
        step += 1
    with torch.no_grad():
        val = mse(model(x_va), y_va).item()
    print(f"epoch {epoch + 1} step {step} teacher forcing p={teacher_p:.2f} "
          f"train mse {run / steps_per_epoch:.4f} val mse (free-running) {val:.4f}")

with torch.no_grad():
    tr_free = mse(model(x_tr), y_tr).item()
print(f"final free-running mse: train {tr_free:.4f} val {val:.4f} "
      f"(zero forecast {y_va.pow(2).mean().item():.4f})")
