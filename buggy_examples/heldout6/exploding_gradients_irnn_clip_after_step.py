"""ReLU RNN (IRNN, identity-initialised recurrence) on a running-total sequence
regression task (length 60), SGD with momentum and gradient-norm clipping.

Seeded bug (exploding_gradients): clip_grad_norm_ is called *after*
optimizer.step(), so the clipping only rescales gradients that are about to be
zeroed anyway and never limits an update. The first update pushes the
recurrent matrix past spectral radius 1 and backprop through 60 steps blows
up. Measured: total grad norm 5.6e2 at step 1, 2.7e11 at step 2, ~1e16 from
step 25 on; training loss goes from 1.15 to ~1e32 (val loss 6e28 at step 200,
still finite; gradient norm still ~5e14).
Fixed (clip before step): grad norm 5..25 after warm-up, val MSE 0.034
at step 200 (predicting the mean gives ~0.078).
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn

SEQ_LEN = 60
HIDDEN = 64
BATCH = 32
STEPS = 200
LR = 1e-3
CLIP = 1.0

torch.set_flush_denormal(True)  # subnormals make CPU RNN kernels crawl
torch.manual_seed(3)
np.random.seed(3)


def make_batch(n, T=SEQ_LEN):
    """Running-total task: each step carries a reading and a 0/1 "counts" flag;
    the target is the scaled total of the flagged readings."""
    vals = torch.rand(n, T)
    flags = (torch.rand(n, T) < 0.3).float()
    x = torch.stack([vals, flags], dim=-1)
    y = (vals * flags).sum(1, keepdim=True) / math.sqrt(T)
    return x, y


class IRNNRegressor(nn.Module):
    """ReLU RNN with identity-initialised recurrence (Le et al., 2015)."""

    def __init__(self, n_in=2, hidden=HIDDEN):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()
            nn.init.normal_(self.rnn.weight_ih_l0, std=0.1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


model = IRNNRegressor()
opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
loss_fn = nn.MSELoss()
x_val, y_val = make_batch(512)

for step in range(1, STEPS + 1):
    xb, yb = make_batch(BATCH)
    pred = model(xb)
    loss = loss_fn(pred, yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    gnorm = nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    if step % 25 == 0:
        with torch.no_grad():
            val = loss_fn(model(x_val), y_val).item()
        g = gnorm.item()
        print(f"step {step:4d} loss {loss.item():.4g} val {val:.4g} grad_norm {g:.3e}")
        if not math.isfinite(val):
            print("validation loss is not finite, stopping")
            break
