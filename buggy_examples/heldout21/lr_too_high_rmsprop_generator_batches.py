"""Regression on sklearn's diabetes data (standardised features and target) with
a SiLU MLP; the training loop is driven by an endless generator of shuffled
mini-batches (itertools.islice to 300 steps), RMSprop optimiser.

Seeded bug (lr_too_high): RMSprop is run with lr=0.1 (an SGD-style value);
RMSprop's per-parameter normalisation makes every step of order lr, which is
far too large here. The loss spikes by orders of magnitude again and again and
the model never settles.

Measured (seed 4, 300 steps): batch-loss spikes up to 12666 (steps 1-30),
356 (steps 121-150) and 4687 (steps 211-240); full-train MSE jumps between
0.46 and 2.55 and ends at 0.745, test MSE 0.812.
Fixed copy (lr=1e-3): batch loss never above 1.0, full-train MSE falls
smoothly 0.52 -> 0.431, test MSE 0.502.
"""
# traindebug-expect: lr_too_high
import itertools

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)

SEED = 4
LR = 0.1
STEPS = 300
BATCH = 32


def batch_stream(x, y, batch_size, rng):
    """Endless shuffled mini-batches; a new permutation every pass."""
    n = len(x)
    for epoch in itertools.count():
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            yield epoch, torch.from_numpy(x[idx]), torch.from_numpy(y[idx])


def build_model(d_in):
    return nn.Sequential(
        nn.Linear(d_in, 64), nn.SiLU(),
        nn.Linear(64, 64), nn.SiLU(),
        nn.Linear(64, 1),
    )


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    data = load_diabetes()
    x = data.data.astype(np.float32)
    y = data.target.astype(np.float32)[:, None]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=SEED)
    xm, xs = x_tr.mean(0), x_tr.std(0)
    ym, ys = y_tr.mean(), y_tr.std()
    x_tr, x_te = (x_tr - xm) / xs, (x_te - xm) / xs
    y_tr, y_te = (y_tr - ym) / ys, (y_te - ym) / ys
    x_te_t, y_te_t = torch.from_numpy(x_te), torch.from_numpy(y_te)
    x_tr_t, y_tr_t = torch.from_numpy(x_tr), torch.from_numpy(y_tr)

    model = build_model(x.shape[1])
    opt = torch.optim.RMSprop(model.parameters(), lr=LR, alpha=0.9)
    loss_fn = nn.MSELoss()

    history = []
    for step, (epoch, xb, yb) in enumerate(itertools.islice(batch_stream(x_tr, y_tr, BATCH, rng), STEPS)):
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
        if (step + 1) % 30 == 0:
            with torch.no_grad():
                tr = loss_fn(model(x_tr_t), y_tr_t).item()
                te = loss_fn(model(x_te_t), y_te_t).item()
            recent = history[-30:]
            print(f"step {step + 1:3d} epoch {epoch:2d} batch_loss mean {np.mean(recent):.3f} "
                  f"max {np.max(recent):.3f} | full train mse {tr:.3f} test mse {te:.3f}")


if __name__ == "__main__":
    main()
