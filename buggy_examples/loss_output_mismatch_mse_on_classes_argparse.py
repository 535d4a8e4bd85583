"""Seeded bug: a digit classifier trained with MSELoss on the integer class
index (a single output regressed onto 0..9) instead of CrossEntropyLoss on one
logit per class."""
# traindebug-expect: loss_output_mismatch
import argparse

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--hidden", type=int, default=64)
    return p.parse_args()


def main():
    cfg = parse_args()
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    ds = TensorDataset(torch.tensor(X / 16.0, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    dl = DataLoader(ds, batch_size=cfg.batch_size, shuffle=True)
    net = nn.Sequential(nn.Linear(64, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 1))
    crit = nn.MSELoss()  # BUG: class indices are not a regression target
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    for epoch in range(cfg.epochs):
        for xb, yb in dl:
            opt.zero_grad()
            loss = crit(net(xb).squeeze(1), yb)
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: mse {loss.item():.3f}")


if __name__ == "__main__":
    main()
