"""Seeded bug: StepLR(step_size=10, gamma=0.5) is meant per epoch but is stepped
after every batch; by step 100 the learning rate is ~1e-3 of its start and
training stops making progress long before it converged."""
# traindebug-expect: lr_too_low
import argparse

import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=64)
    return p.parse_args()


def main():
    args = get_args()
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, torch.tensor(y)), batch_size=args.batch_size, shuffle=True
    )
    model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(args.epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()  # BUG: per batch instead of per epoch
        print(f"epoch {epoch} loss {loss.item():.3f} lr {sched.get_last_lr()[0]:.2e}")


if __name__ == "__main__":
    main()
