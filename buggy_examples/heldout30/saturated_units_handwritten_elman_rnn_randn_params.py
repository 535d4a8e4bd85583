"""Hand-written Elman RNN (tanh) classifying noisy audio-like clips into 4 event types: a rising
chirp, a falling chirp, a steady tone and a click train. Each 192-sample clip is cut into 24
frames of 8 samples; the cell h_t = tanh(x_t W_xh + h_{t-1} W_hh + b) with 64 hidden units is
unrolled in a Python loop and the last hidden state goes to a linear classifier. The parameters
are raw nn.Parameter tensors (the author wanted to show the recurrence explicitly). Adam lr 3e-3,
clipping at 5.0, batches of 64, 2400 training / 600 test clips, 300 steps.

Seeded bug: the weights are created as nn.Parameter(torch.randn(fan_in, hidden)) - unit-variance
entries, as in many from-scratch RNN tutorials - without the 1/sqrt(fan_in) factor. With 64
recurrent inputs the pre-activations have a standard deviation around 8, so about three quarters
of the tanh units sit beyond |h| = 0.99 from the first time steps on; the local derivative 1 - tanh^2 is ~0, the
recurrent state is a frozen sign pattern and gradients barely reach W_xh.

Measured (plain python, 1 thread): test accuracy 0.282 (train loss 1.34) with the bug versus
1.000 (train loss 0.004) for a fixed copy that scales the randn weights by 1/sqrt(fan_in).
"""
# traindebug-expect: saturated_units
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

FRAME, N_FRAMES = 8, 24
CLIP = FRAME * N_FRAMES


def make_clips(n):
    t = np.linspace(0, 1, CLIP)
    y = rng.integers(0, 4, size=n)
    f0 = rng.uniform(4, 10, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    rising = np.sin(2 * np.pi * (f0 * t + 8 * t ** 2) + phase)
    falling = np.sin(2 * np.pi * (f0 * t + 8 * t - 8 * t ** 2) + phase)
    tone = np.sin(2 * np.pi * (f0 + 4) * t + phase)
    clicks = np.zeros((n, CLIP))
    period = rng.integers(12, 30, size=n)
    for i in range(n):
        clicks[i, rng.integers(0, period[i])::period[i]] = 2.0
    x = np.stack([rising, falling, tone, clicks])[y, np.arange(n)]
    x = x + 0.5 * rng.normal(size=(n, CLIP))
    x = x.reshape(n, N_FRAMES, FRAME)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


x_train, y_train = make_clips(2400)
x_test, y_test = make_clips(600)


class ElmanRNN(nn.Module):
    def __init__(self, n_in, hidden, n_out):
        super().__init__()
        self.W_xh = nn.Parameter(torch.randn(n_in, hidden))
        self.W_hh = nn.Parameter(torch.randn(hidden, hidden))
        self.b_h = nn.Parameter(torch.zeros(hidden))
        self.W_hy = nn.Parameter(torch.randn(hidden, n_out) / math.sqrt(hidden))
        self.b_y = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.W_hh.shape[0])
        for t in range(x.shape[1]):
            h = torch.tanh(x[:, t] @ self.W_xh + h @ self.W_hh + self.b_h)
        return h @ self.W_hy + self.b_y


model = ElmanRNN(FRAME, 64, 4)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)


def test_acc():
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


step = 0
for epoch in range(10):
    perm = torch.randperm(len(x_train))
    for i in range(0, len(perm) - 63, 64):
        idx = perm[i:i + 64]
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  loss {loss.item():.4f}  test acc {test_acc():.3f}")
        if step == 300:
            break
    if step == 300:
        break

print(f"final loss {loss.item():.4f}  test acc {test_acc():.3f}")
