"""
argparse script with train / eval subcommands (train is the default when no
subcommand is given): an MLP of Linear -> BatchNorm1d -> ReLU blocks on a 4-class
make_classification problem.

Seeded bug (dead_units): the ResNet trick "zero-init the last BN scale in each
block" (--zero-init-last-bn, on by default) is applied to a plain, non-residual
stack.  With gamma = 0 and beta = 0 the last block's BatchNorm outputs exactly 0,
ReLU(0) = 0 with zero derivative, so all 128 units of the last hidden layer are
dead for every input from step 0 on and never recover; the head sees only zeros.

Measured (8 epochs, 200 Adam steps):
  buggy : loss 1.3897 -> 1.3865 (= ln 4), test acc 0.246 (chance, constant)
  fixed (--no-zero-init-last-bn, i.e. default False): loss 0.904 -> 0.114,
          test acc 0.918-0.928
"""
# traindebug-expect: dead_units
import argparse
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def build_parser():
    p = argparse.ArgumentParser(description="MLP classifier on a synthetic tabular task")
    sub = p.add_subparsers(dest="command")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seed", type=int, default=0)
    common.add_argument("--n-samples", type=int, default=4000)
    common.add_argument("--hidden", type=int, default=128)
    common.add_argument("--depth", type=int, default=3)

    tr = sub.add_parser("train", parents=[common])
    tr.add_argument("--lr", type=float, default=1e-3)
    tr.add_argument("--epochs", type=int, default=8)
    tr.add_argument("--batch-size", type=int, default=128)
    tr.add_argument("--zero-init-last-bn", action=argparse.BooleanOptionalAction, default=True,
                    help="zero-init the BN scale of the last block (Goyal et al. 2017)")

    ev = sub.add_parser("eval", parents=[common])
    ev.add_argument("--checkpoint", type=str, default="mlp.pt")
    return p


class Block(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.fc = nn.Linear(d_in, d_out)
        self.bn = nn.BatchNorm1d(d_out)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.bn(self.fc(x)))


class MLP(nn.Module):
    def __init__(self, d_in, hidden, depth, n_classes, zero_init_last_bn=False):
        super().__init__()
        dims = [d_in] + [hidden] * depth
        self.blocks = nn.Sequential(*[Block(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.head = nn.Linear(hidden, n_classes)
        if zero_init_last_bn:
            nn.init.zeros_(self.blocks[-1].bn.weight)

    def forward(self, x):
        return self.head(self.blocks(x))


def get_data(args):
    X, y = make_classification(n_samples=args.n_samples, n_features=20, n_informative=12,
                               n_redundant=4, n_classes=4, n_clusters_per_class=2,
                               class_sep=1.2, random_state=args.seed)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=args.seed)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(sc.transform(a), dtype=torch.float32)
    return f(Xtr), torch.tensor(ytr), f(Xte), torch.tensor(yte)


def train(args):
    torch.manual_seed(args.seed)
    Xtr, ytr, Xte, yte = get_data(args)
    model = MLP(Xtr.shape[1], args.hidden, args.depth, 4, args.zero_init_last_bn)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    crit = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot = 0.0
        for i in range(0, len(Xtr), args.batch_size):
            b = perm[i:i + args.batch_size]
            loss = crit(model(Xtr[b]), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(b)
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"[train] epoch {epoch} loss {tot / len(Xtr):.4f} test_acc {acc:.3f}")
    return model


def main(argv=None):
    torch.set_num_threads(1)
    np.random.seed(0)
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):
        argv = ["train"] + list(argv)
    args = parser.parse_args(argv)
    if args.command == "train":
        train(args)
    else:
        print("eval: nothing to evaluate in this demo (checkpoint %s)" % args.checkpoint)


if __name__ == "__main__":
    main()
