"""Hourly electricity-load forecaster (generated series).  Training windows are
built with Tensor.unfold: 48 lags in, next 6 hours out.

Seeded bug (input_scale): the series is standardised, but the windows are
unfolded from `load` (the raw megawatt series, values around 5000) instead of
`load_z`; only the target slice is scaled afterwards.  The first Linear layer
therefore sees inputs of order 5000 with a huge common offset.
Measured (this file vs. a copy that unfolds load_z; 300 RMSprop steps):
train MSE in z units 2590 at step 50 and still 21.3 at step 300 vs 0.012;
val MAE 2351 MW (the predict-the-mean baseline is 656 MW) vs 69 MW.
"""
# traindebug-expect: input_scale
import argparse
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)


def synth_load(hours, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(hours, dtype=torch.float32)
    daily = 650 * torch.sin(2 * math.pi * (t - 7) / 24) + 250 * torch.sin(4 * math.pi * t / 24)
    weekly = 400 * torch.sin(2 * math.pi * t / (24 * 7))
    trend = 0.02 * t
    noise = torch.randn(hours, generator=g).cumsum(0) * 8 + torch.randn(hours, generator=g) * 40
    return 5200 + daily + weekly + trend + noise


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--hours", type=int, default=24 * 7 * 30)
    p.add_argument("--lags", type=int, default=48)
    p.add_argument("--horizon", type=int, default=6)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    load = synth_load(args.hours, args.seed)
    split = int(0.8 * len(load))
    mu, sd = load[:split].mean(), load[:split].std()
    load_z = (load - mu) / sd

    L, H = args.lags, args.horizon
    windows = load.unfold(0, L + H, 1)             # (n_windows, L + H)
    X, Y = windows[:, :L], (windows[:, L:] - mu) / sd
    n_train = split - (L + H) + 1                  # windows fully inside the train part
    Xtr, Ytr = X[:n_train], Y[:n_train]
    Xva, Yva = X[split:], Y[split:]
    print(f"train windows {len(Xtr)}, val windows {len(Xva)}")

    model = nn.Sequential(nn.Linear(L, 128), nn.GELU(), nn.Linear(128, 64), nn.GELU(), nn.Linear(64, H))
    opt = torch.optim.RMSprop(model.parameters(), lr=args.lr, alpha=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.steps)
    loss_fn = nn.MSELoss()

    g = torch.Generator().manual_seed(args.seed)
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, len(Xtr), (args.batch,), generator=g)
        loss = loss_fn(model(Xtr[idx]), Ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0:
            print(f"step {step:3d} train mse {loss.item():.4f}")

    with torch.no_grad():
        pred_mw = model(Xva) * sd + mu
        true_mw = Yva * sd + mu
        mae = (pred_mw - true_mw).abs().mean().item()
        naive = (true_mw - mu).abs().mean().item()
    print(f"val MAE {mae:.1f} MW (predict-the-mean MAE {naive:.1f} MW)")


if __name__ == "__main__":
    main()
