"""Denoising autoencoder (nn.Sequential, tanh, 6-d bottleneck) on the standardised
breast-cancer feature table, argparse config, RMSprop.

Seeded bug: the default --lr is 0.05 for RMSprop (with alpha=0.9); RMSprop normalises
the gradient, so each parameter moves by about lr per step, which is far too large for
this network. Loss spikes and the held-out reconstruction never settles.

Measured (seed 0, 240 steps): first-epoch batch MSE spikes to 9.4, final train MSE
0.61, held-out MSE 1.62 (worse than reconstructing every row as the mean, ~1.0) and
jumping between 1.0 and 3.9 across epochs. Same script with --lr 1e-3: train MSE 0.19,
held-out MSE 0.200, decreasing every epoch.
"""
# traindebug-expect: lr_too_high
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler


def get_args():
    p = argparse.ArgumentParser(description="Denoising autoencoder for tabular anomaly scoring")
    p.add_argument("--latent", type=int, default=6)
    p.add_argument("--hidden", type=int, default=48)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--alpha", type=float, default=0.9, help="RMSprop smoothing constant")
    p.add_argument("--noise", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    X = load_breast_cancer().data
    rng = np.random.default_rng(args.seed)
    idx = rng.permutation(len(X))
    tr, te = idx[:450], idx[450:]
    scaler = StandardScaler().fit(X[tr])
    Xtr = torch.tensor(scaler.transform(X[tr]), dtype=torch.float32)
    Xte = torch.tensor(scaler.transform(X[te]), dtype=torch.float32)
    d = Xtr.shape[1]

    model = nn.Sequential(
        nn.Linear(d, args.hidden), nn.Tanh(),
        nn.Linear(args.hidden, args.latent),
        nn.Linear(args.latent, args.hidden), nn.Tanh(),
        nn.Linear(args.hidden, d),
    )
    opt = torch.optim.RMSprop(model.parameters(), lr=args.lr, alpha=args.alpha)
    mse = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(Xtr), args.batch_size):
            xb = Xtr[perm[i:i + args.batch_size]]
            noisy = xb + args.noise * torch.randn_like(xb)
            loss = mse(model(noisy), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        with torch.no_grad():
            te_mse = mse(model(Xte), Xte).item()
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch + 1:2d} step {step:3d} train_mse {np.mean(losses):.4f} "
                  f"(min {np.min(losses):.3f} max {np.max(losses):.3f}) test_mse {te_mse:.4f}")
    print(f"final reconstruction MSE on held-out rows: {te_mse:.4f}")


if __name__ == "__main__":
    main()
