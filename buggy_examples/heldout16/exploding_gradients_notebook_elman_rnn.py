"""
Notebook-style script (# %% cells, global variables): a hand-rolled tanh Elman
RNN (T=30 steps) regressing the normalised sum of a noisy random walk's increments.

Seeded bug (exploding_gradients): the recurrent matrix is initialised as
torch.randn(H, H) * 0.5 without the 1/sqrt(H) factor, so its spectral radius is
about 0.5*sqrt(64) = 4.  Backpropagation through the 30 time steps multiplies the
gradient by this Jacobian repeatedly (chaotic regime) and the gradient norm is
4-5 orders of magnitude too large; Adam's normalised steps cannot make progress.

Measured (250 Adam steps):
  buggy : grad norm 1.5e5 at step 0, 1.5e4-4.6e4 throughout; loss 2.23 -> 0.89,
          validation MSE 0.891 (target variance 1.03)
  fixed (randn * 0.5 / sqrt(H)): grad norm 1-11, loss 1.21 -> 0.034,
          validation MSE 0.114
"""
# traindebug-expect: exploding_gradients
# %% [markdown]
# Sequence regression with a hand-rolled Elman RNN:
# predict the running "drift" (sum of the increments) of a noisy random walk.

# %%
import math
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(4)
np.random.seed(4)
torch.set_num_threads(1)

T = 30
HIDDEN = 64
BATCH = 64
STEPS = 250
LR = 3e-3

# %%
def make_batch(n, gen):
    inc = torch.randn(n, T, generator=gen)
    noise = 0.3 * torch.randn(n, T, generator=gen)
    x = torch.stack([inc, inc + noise], dim=-1)
    y = inc.sum(1, keepdim=True) / math.sqrt(T)      # target has unit variance
    return x, y

gen = torch.Generator().manual_seed(4)
x_val, y_val = make_batch(1000, gen)
print("target var:", y_val.var().item())

# %%
W_ih = nn.Parameter(torch.randn(2, HIDDEN) / math.sqrt(2))
W_hh = nn.Parameter(torch.randn(HIDDEN, HIDDEN) * 0.5)
b_h = nn.Parameter(torch.zeros(HIDDEN))
W_out = nn.Parameter(torch.randn(HIDDEN, 1) / math.sqrt(HIDDEN))
b_out = nn.Parameter(torch.zeros(1))
params = [W_ih, W_hh, b_h, W_out, b_out]

def rnn_forward(x):
    h = torch.zeros(x.shape[0], HIDDEN)
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ W_ih + h @ W_hh + b_h)
    return h @ W_out + b_out

# %%
opt = torch.optim.Adam(params, lr=LR)
loss_fn = nn.MSELoss()
for step in range(STEPS):
    x, y = make_batch(BATCH, gen)
    loss = loss_fn(rnn_forward(x), y)
    opt.zero_grad()
    loss.backward()
    gnorm = torch.sqrt(sum((p.grad ** 2).sum() for p in params)).item()
    opt.step()
    if step % 50 == 0 or step == STEPS - 1:
        print(f"step {step:3d} loss {loss.item():.4g} grad_norm {gnorm:.3g}")

# %%
with torch.no_grad():
    val_mse = loss_fn(rnn_forward(x_val), y_val).item()
print(f"validation mse {val_mse:.4g}")
