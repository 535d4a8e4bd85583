"""One-step-ahead forecasting of a quasi-periodic series with a ReLU RNN
over sliding windows of 50 samples.

Seeded bug: IRNN-style recurrent init (identity + small noise, spectral radius
slightly above 1) on a ReLU RNN, trained with SGD+momentum without any
gradient clipping.  Backprop through 50 time steps amplifies the gradient,
the first update pushes the recurrence further above 1, and the total
gradient norm grows by orders of magnitude within two steps.

Measured: total grad norm 212 (step 0) -> 4.4e4 (step 1) -> 1.4e16 (step 2),
then loss/val become NaN from step ~3 on; final val MSE nan.
Same script with clip_grad_norm_(..., 1.0): val MSE 0.214 after 200 steps.
"""
# traindebug-expect: exploding_gradients

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(1)
np.random.seed(1)
torch.set_num_threads(1)

# Synthetic sunspot-like series: quasi-periodic signal with drifting amplitude
T = 3000
tt = np.arange(T)
series = (np.sin(2 * np.pi * tt / 110.0) * (1.0 + 0.3 * np.sin(2 * np.pi * tt / 900.0))
          + 0.4 * np.sin(2 * np.pi * tt / 37.0) + 0.1 * np.random.randn(T))
series = (series - series[:2400].mean()) / series[:2400].std()

window, horizon = 50, 1
def make_windows(x):
    idx = np.arange(len(x) - window - horizon + 1)
    Xw = np.stack([x[i:i + window] for i in idx])
    Yw = np.stack([x[i + window:i + window + horizon] for i in idx])
    return Xw[..., None].astype(np.float32), Yw.astype(np.float32)

Xtr, Ytr = map(torch.from_numpy, make_windows(series[:2400]))
Xva, Yva = map(torch.from_numpy, make_windows(series[2400:]))


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True, nonlinearity="relu")
        self.head = nn.Linear(hidden, horizon)
        # IRNN-style initialisation (Le et al. 2015): identity recurrence keeps
        # long-range memory
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden) + 0.005 * torch.randn(hidden, hidden))
            self.rnn.bias_hh_l0.zero_()

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


model = Forecaster()
opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
loss_fn = nn.MSELoss()

steps, bs = 200, 64
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    loss = loss_fn(model(Xtr[bi]), Ytr[bi])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == steps - 1:
        with torch.no_grad():
            va = loss_fn(model(Xva), Yva).item()
        print(f"step {step:4d}  train {loss.item():.4g}  val {va:.4g}")

with torch.no_grad():
    print(f"final val MSE {loss_fn(model(Xva), Yva).item():.4g}")
