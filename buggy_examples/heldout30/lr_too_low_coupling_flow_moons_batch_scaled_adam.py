"""
Two-dimensional normalising flow on sklearn make_moons (noise 0.05, standardised): eight
affine coupling layers alternating which coordinate is transformed, each conditioner an MLP
1 -> 64 -> 64 -> 2 with tanh-bounded log-scale, standard normal base. Adam, batch 32 drawn
through a DataLoader, 6 epochs over 1600 points (300 steps), argparse config, test NLL (nats)
on 1000 fresh points.

Seeded bug: the learning rate is derived with the "linear scaling rule" from a reference batch
of 1024 (`lr = base_lr * batch_size / 1024`), copied from a large-batch training recipe, while
base_lr = 1e-3 was already tuned for this small-batch Adam setup. The effective rate is
3.1e-5, 32x too small: in 300 steps the flow barely moves away from the identity map and the
density stays close to a broad Gaussian blob (after 300 steps it is still worse than the fixed
run after its first 50).

Measured (seed 0, 1 thread): initial test NLL 3.462 for both. Buggy final train NLL 2.529,
test NLL 2.534. Fixed copy (lr = base_lr = 1e-3): test NLL 2.418 after epoch 0, final train
NLL 1.864, test NLL 1.887. Runtime ~7.5 s CPU time.
"""
# traindebug-expect: lr_too_low
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class AffineCoupling(nn.Module):
    def __init__(self, flip, hidden=64):
        super().__init__()
        self.flip = flip
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2))

    def forward(self, x):
        a, b = (x[:, 1:], x[:, :1]) if self.flip else (x[:, :1], x[:, 1:])
        log_s, t = self.net(a).chunk(2, dim=1)
        log_s = 2.0 * torch.tanh(log_s / 2.0)
        b = b * torch.exp(log_s) + t
        out = torch.cat([b, a], 1) if self.flip else torch.cat([a, b], 1)
        return out, log_s.squeeze(1)


class Flow(nn.Module):
    def __init__(self, n_layers):
        super().__init__()
        self.layers = nn.ModuleList(AffineCoupling(flip=i % 2 == 1) for i in range(n_layers))

    def log_prob(self, x):
        log_det = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            log_det = log_det + ld
        return -0.5 * (x ** 2).sum(1) - math.log(2 * math.pi) + log_det


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--n-train", type=int, default=1600)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--base-lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--layers", type=int, default=8)
    return p.parse_args()


def main():
    args = get_args()
    X_tr, _ = make_moons(args.n_train, noise=0.05, random_state=0)
    X_te, _ = make_moons(1000, noise=0.05, random_state=1)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)

    flow = Flow(args.layers)
    lr = args.base_lr * args.batch_size / 1024
    opt = torch.optim.Adam(flow.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X_tr), batch_size=args.batch_size, shuffle=True)
    print(f"lr {lr:.2e}, {len(loader)} steps per epoch")

    with torch.no_grad():
        print(f"initial test_nll {-flow.log_prob(X_te).mean().item():.3f}")
    step = 0
    for epoch in range(args.epochs):
        running = 0.0
        for (xb,) in loader:
            loss = -flow.log_prob(xb).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            running += loss.item()
        with torch.no_grad():
            test_nll = -flow.log_prob(X_te).mean().item()
        print(f"epoch {epoch} step {step} train_nll {running / len(loader):.3f} test_nll {test_nll:.3f}")

    with torch.no_grad():
        print(f"final train_nll {-flow.log_prob(X_tr).mean().item():.3f} "
              f"test_nll {-flow.log_prob(X_te).mean().item():.3f}")


if __name__ == "__main__":
    main()
