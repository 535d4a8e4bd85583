"""Forecasting the mean of the next 5 values of a noisy sine from a 30-step window with
a single-layer ReLU nn.RNN (hidden 64) and Adam(lr=1e-3), 228 steps.

Seeded bug (exploding_gradients): the recurrent matrix is initialised with
nn.init.orthogonal_(weight_hh, gain=2.0) "scaled up a bit for the relu". With a ReLU
recurrence every backprop-through-time step multiplies by a matrix whose singular
values are 2, so the gradient grows like 2^30 along the sequence and the total
gradient norm is thousands of times larger than normal. There is no gradient
clipping.

Measured (total grad norm instrumented in a scratch copy): grad norm 7.7e3 at step
20 and still ~2e3 at step 220 (healthy run: ~0.5-2); loss 56 at step 20, val MSE at
the end 8.21 vs a predict-the-mean baseline of 0.36. Same script with gain=1.0:
val MSE 0.025.
"""
# traindebug-expect: exploding_gradients
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(1)
np.random.seed(1)
torch.set_num_threads(1)

# toy task: sum of a noisy sine sequence -> predict the mean of the last 5 values of the next window
SEQ_LEN = 30
N = 1200

def make_data(n):
    t0 = np.random.uniform(0, 2 * np.pi, size=(n, 1))
    freq = np.random.uniform(0.5, 1.5, size=(n, 1))
    t = t0 + freq * np.linspace(0, 4 * np.pi, SEQ_LEN + 5)[None, :]
    s = np.sin(t) + 0.1 * np.random.randn(n, SEQ_LEN + 5)
    x = s[:, :SEQ_LEN, None]
    y = s[:, SEQ_LEN:].mean(axis=1, keepdims=True)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)

X, Y = make_data(N)
X_val, Y_val = make_data(300)

class Forecaster(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True, nonlinearity="relu")
        self.head = nn.Linear(hidden, 1)
        # orthogonal recurrent init (helps long sequences), scaled up a bit for the relu
        for name, p in self.rnn.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p, gain=2.0)
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        out, h = self.rnn(x)
        return self.head(out[:, -1])

model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

BATCH = 32
EPOCHS = 6
step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(N)
    for i in range(0, N, BATCH):
        idx = perm[i:i + BATCH]
        pred = model(X[idx])
        loss = loss_fn(pred, Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  loss {loss.item():.4g}")

with torch.no_grad():
    val = loss_fn(model(X_val), Y_val).item()
print("steps", step)
print(f"val mse {val:.4g}  (predict-mean baseline {Y_val.var().item():.4g})")
