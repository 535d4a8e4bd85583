"""ReLU RNN (IRNN-style) regressing the average of 50-step sensor windows.

Seeded bug: reset_parameters() initialises the recurrent matrix with
orthogonal_(gain=calculate_gain('relu')) = sqrt(2). For an IRNN the recurrent matrix should
have spectral radius ~1 (identity / orthogonal gain 1); with gain 1.41 the backward signal is
multiplied by up to 1.41 per time step over 50 steps, so gradients explode through time.
Measured effect: total grad norm at step 0 is 3.0e4 (initial loss 190), vs 7.2 (loss 0.42)
when fixed; the early huge updates wreck the model and after 192 Adam steps the val MSE is
0.0332, worse than predicting the mean (0.0270). Fixed (gain=1.0): val MSE 0.0026.
"""
# traindebug-expect: exploding_gradients
import math
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

SEQ_LEN = 50
N_TRAIN, N_VAL = 2048, 512


def make_sensor_windows(n, T, rng):
    """Windows of a noisy non-negative sensor; target is the window average."""
    level = rng.uniform(0.2, 0.8, size=(n, 1, 1))
    x = np.clip(level + 0.3 * rng.standard_normal((n, T, 1)), 0.0, None).astype(np.float32)
    y = x.mean(axis=1).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


class IRNNRegressor(nn.Module):
    """ReLU RNN (Le et al., 2015) with a linear read-out of the last hidden state."""

    def __init__(self, n_in=1, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.rnn.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p, gain=nn.init.calculate_gain("relu"))
            elif "weight_ih" in name:
                nn.init.kaiming_uniform_(p, nonlinearity="relu")
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


rng = np.random.default_rng(0)
x_tr, y_tr = make_sensor_windows(N_TRAIN, SEQ_LEN, rng)
x_va, y_va = make_sensor_windows(N_VAL, SEQ_LEN, rng)

model = IRNNRegressor()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
batch = 64

step = 0
for epoch in range(6):
    perm = torch.randperm(N_TRAIN)
    for i in range(0, N_TRAIN, batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x_tr[idx]), y_tr[idx])
        loss.backward()
        gnorm = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.parameters()))
        opt.step()
        if step % 20 == 0:
            print(f"step {step:4d} loss {loss.item():.4g} grad_norm {gnorm:.3g}")
        step += 1
    with torch.no_grad():
        val = loss_fn(model(x_va), y_va).item()
    print(f"epoch {epoch} val_mse {val:.4g}  (predict-mean baseline {y_va.var().item():.4f})")
