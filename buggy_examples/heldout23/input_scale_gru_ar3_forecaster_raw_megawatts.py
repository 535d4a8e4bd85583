"""Autoregressive next-value forecaster (GRU, hidden 32, Adam) trained with teacher
forcing on 48-step windows of a simulated hourly grid-load series: an AR(3)
process (noise std 12 MW) around a base level of 820 MW. 12 epochs x 10 steps.

Seeded bug: the series is fed to the GRU and used as the regression target in
raw megawatts (mean ~820, std ~16) - no standardisation with the training
mean/std. The GRU input is ~800, every gate pre-activation is enormous, and the
linear head has to climb to ~820 with Adam steps of ~3e-3.

Measured: buggy one-step test MSE 674,537 -> 663,591 MW^2 after 12 epochs
(series variance is 247, noise floor 144), 13-step rollout MSE 669,872.
With the series standardised (and MSE reported back in MW^2): one-step test MSE
219 -> 146 (at the noise floor), rollout MSE 195.
"""
# traindebug-expect: input_scale
import argparse
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def simulate_load(n, phi=(0.55, 0.25, -0.2), base=820.0, noise=12.0, seed=0):
    """Hourly grid load (MW): an AR(3) process around a base level."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(3, n):
        x[t] = phi[0] * x[t - 1] + phi[1] * x[t - 2] + phi[2] * x[t - 3] + rng.normal(0, noise)
    return (base + x).astype(np.float32)


def make_windows(series, win):
    n = (len(series) - 1) // win
    w = series[: n * win + 1]
    xs = np.stack([w[i * win: i * win + win + 1] for i in range(n)])
    return torch.from_numpy(xs).unsqueeze(-1)  # (n, win+1, 1)


class Forecaster(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.proj = nn.Linear(hidden, 1)

    def forward(self, x, h=None):
        out, h = self.rnn(x, h)
        return self.proj(out), h

    @torch.no_grad()
    def rollout(self, context, steps):
        y, h = self(context)
        nxt = y[:, -1:]
        preds = []
        for _ in range(steps):
            preds.append(nxt)
            y, h = self(nxt, h)
            nxt = y
        return torch.cat(preds, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=int, default=48)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args()
    torch.manual_seed(11)

    series = simulate_load(9000)
    split = int(0.8 * len(series))
    train = make_windows(series[:split], args.window)
    test = make_windows(series[split:], args.window)

    model = Forecaster(args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()
    g = torch.Generator().manual_seed(1)

    for epoch in range(args.epochs):
        perm = torch.randperm(len(train), generator=g)
        tot = 0.0
        for i in range(0, len(train), args.batch):
            seq = train[perm[i:i + args.batch]]
            inp, tgt = seq[:, :-1], seq[:, 1:]      # teacher forcing
            pred, _ = model(inp)
            loss = loss_fn(pred, tgt)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            tot += loss.item() * len(seq)
        with torch.no_grad():
            p, _ = model(test[:, :-1])
            one_step = loss_fn(p, test[:, 1:]).item()
        print(f"epoch {epoch:2d} train_mse {tot / len(train):10.2f} test_one_step_mse {one_step:10.2f}")

    ctx, fut = test[:, :36], test[:, 36:]
    roll = model.rollout(ctx, fut.shape[1])
    print(f"rollout mse over {fut.shape[1]} steps: {loss_fn(roll, fut).item():.2f}  "
          f"(series var {series.var():.1f}, noise var {12.0 ** 2:.1f})")


if __name__ == "__main__":
    main()
