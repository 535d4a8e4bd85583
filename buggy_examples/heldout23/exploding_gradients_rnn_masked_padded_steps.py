"""Per-step regression with a tanh RNN over variable-length (padded) sequences; padded
time steps are removed from the loss by a manual mask.

Seeded bug (exploding_gradients): the recurrent weights are initialised with
uniform(-0.5, 0.5) (INIT_RANGE) instead of the usual +-1/sqrt(hidden)=+-0.125. With 64
hidden units this gives a recurrent gain of ~2.3, i.e. the chaotic regime: activations
stay bounded by tanh, but gradients grow exponentially backwards through time
(at init, |d h_T / d x_t| is ~15 for t = T-10 but ~3e5 for t = 0, T = 60).

Measured: at step 1 grad norms are weight_hh 1.2e2, weight_ih 5.4e1, readout 1.7
(fixed copy: 0.31, 0.70, 0.60). SGD+momentum then takes huge steps; after 200 steps
masked val MSE is 0.200 (train 0.22) vs 0.0043 for the fixed copy (INIT_RANGE=0.125).
"""
# traindebug-expect: exploding_gradients
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(3)
np.random.seed(3)

IN_DIM, HID = 3, 64
MAX_LEN = 60
INIT_RANGE = 0.5


def make_batch(batch_size, rng):
    """Per-step regression: target is a leaky running integral of a mix of the inputs."""
    lengths = rng.integers(15, MAX_LEN + 1, size=batch_size)
    x = np.zeros((batch_size, MAX_LEN, IN_DIM), dtype=np.float32)
    y = np.zeros((batch_size, MAX_LEN, 1), dtype=np.float32)
    mix = np.array([0.8, -0.5, 0.3], dtype=np.float32)
    for b, L in enumerate(lengths):
        xs = rng.standard_normal((L, IN_DIM)).astype(np.float32)
        acc = 0.0
        for t in range(L):
            acc = 0.85 * acc + float(xs[t] @ mix)
            y[b, t, 0] = acc / 2.0
        x[b, :L] = xs
    mask = (np.arange(MAX_LEN)[None, :] < lengths[:, None]).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(mask), torch.from_numpy(lengths)


class Tracker(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(IN_DIM, HID, num_layers=1, nonlinearity="tanh", batch_first=True)
        self.readout = nn.Linear(HID, 1)
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight"):
                nn.init.uniform_(p, -INIT_RANGE, INIT_RANGE)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.readout(h)


def masked_mse(pred, target, mask):
    se = (pred - target).pow(2).squeeze(-1) * mask
    return se.sum() / mask.sum()


def train(steps=200, batch_size=32, lr=1e-2):
    rng = np.random.default_rng(3)
    model = Tracker()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    xv, yv, mv, _ = make_batch(256, np.random.default_rng(99))
    history = []
    for step in range(1, steps + 1):
        x, y, m, _ = make_batch(batch_size, rng)
        loss = masked_mse(model(x), y, m)
        opt.zero_grad()
        loss.backward()
        gnorm = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters())).item()
        opt.step()
        history.append(loss.item())
        if step % 25 == 0:
            with torch.no_grad():
                vloss = masked_mse(model(xv), yv, mv).item()
            print(f"step {step:4d} loss {np.mean(history[-25:]):.4f} val {vloss:.4f} |g| {gnorm:.3e}")
    return history


if __name__ == "__main__":
    train()
