"""Quantile-regression forecaster (ReLU IRNN, identity-initialised recurrence) on a
generated hourly series, trained with SGD+momentum and a pinball loss.

Seeded bug (exploding_gradients): gradient clipping is called right after
opt.zero_grad() and *before* loss.backward(), so it clips the already-zeroed
gradients and has no effect. The identity-initialised ReLU recurrence over a
48-step window then produces exploding gradients in the first epoch.

Measured (seed 3, 204 SGD steps): max total grad norm in epoch 0 = 7.8e4 (train
pinball in epoch 0 spikes to 70.4); training never recovers and plateaus at
train pinball 0.229 / val pinball 0.281 / 80% interval coverage 0.72.
Fixed copy (clip_grad_norm_ after backward): max pre-clip grad norm 29 in
epoch 0, final train pinball 0.097 / val pinball 0.101 / coverage 0.87.
"""
# traindebug-expect: exploding_gradients
import argparse
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="IRNN quantile forecaster")
    p.add_argument("--window", type=int, default=48)
    p.add_argument("--horizon", type=int, default=1)
    p.add_argument("--hidden", type=int, default=48)
    p.add_argument("--quantiles", type=float, nargs="+", default=[0.1, 0.5, 0.9])
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--seed", type=int, default=3)
    return p.parse_args()


def synth_series(n, rng):
    t = np.arange(n, dtype=np.float64)
    daily = 1.5 * np.sin(2 * np.pi * t / 24.0)
    weekly = 0.8 * np.sin(2 * np.pi * t / 168.0 + 0.3)
    trend = 0.002 * t
    # heteroscedastic noise: larger during the "day" half of the cycle
    scale = 0.25 + 0.35 * (np.sin(2 * np.pi * t / 24.0) > 0)
    noise = rng.standard_normal(n) * scale
    return (daily + weekly + trend + noise).astype(np.float32)


def make_windows(series, window, horizon):
    xs, ys = [], []
    for i in range(len(series) - window - horizon + 1):
        xs.append(series[i:i + window])
        ys.append(series[i + window + horizon - 1])
    return np.stack(xs), np.array(ys, dtype=np.float32)


class IRNNForecaster(nn.Module):
    """ReLU RNN with identity-initialised recurrence (Le et al., 2015)."""

    def __init__(self, hidden, n_quantiles):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.weight_ih_l0.normal_(0.0, 0.01 ** 0.5)
            self.rnn.bias_ih_l0.zero_()
        self.head = nn.Linear(hidden, n_quantiles)

    def forward(self, x):
        out, _ = self.rnn(x.unsqueeze(-1))
        return self.head(out[:, -1])


def pinball_loss(pred, target, quantiles):
    diff = target.unsqueeze(1) - pred
    return torch.maximum(quantiles * diff, (quantiles - 1) * diff).mean()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    series = synth_series(1400, rng)
    split = 1100
    mu, sd = series[:split].mean(), series[:split].std()
    series = (series - mu) / sd
    x_tr, y_tr = make_windows(series[:split], args.window, args.horizon)
    x_va, y_va = make_windows(series[split - args.window:], args.window, args.horizon)
    x_tr, y_tr = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    x_va, y_va = torch.from_numpy(x_va), torch.from_numpy(y_va)
    q = torch.tensor(args.quantiles)

    model = IRNNForecaster(args.hidden, len(args.quantiles))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_tr))
        running, max_gn = 0.0, 0.0
        for i in range(0, len(perm), args.batch_size):
            idx = perm[i:i + args.batch_size]
            opt.zero_grad()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            loss = pinball_loss(model(x_tr[idx]), y_tr[idx], q)
            loss.backward()
            gn = torch.norm(torch.stack([p.grad.norm() for p in model.parameters()])).item()
            max_gn = max(max_gn, gn)
            opt.step()
            running += loss.item() * len(idx)
            step += 1
        model.eval()
        with torch.no_grad():
            pv = model(x_va)
            va = pinball_loss(pv, y_va, q).item()
            cover = ((y_va >= pv[:, 0]) & (y_va <= pv[:, -1])).float().mean().item()
        print(f"epoch {epoch:2d} step {step:4d} train_pinball {running / len(x_tr):.4f} "
              f"val_pinball {va:.4f} 80%-coverage {cover:.2f} max_grad_norm {max_gn:.2e}")


if __name__ == "__main__":
    main()
