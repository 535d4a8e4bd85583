"""Deep ReLU MLP (4 x 128) on a 5-class make_classification problem; argparse
config, nn.Sequential, Adam.

Seeded bug (bad_init_scale): the init helper draws every Linear weight from
N(0, 1) (the --init-std default is 1.0) instead of a fan-in scaled std of about
sqrt(2/fan_in) = 0.125. With width 128 each layer multiplies the activation
scale by roughly sqrt(128/2) = 8, so logits at step 0 are in the thousands.

Measured (225 steps): loss at init 15140 (ln 5 = 1.61); final train loss 1225,
val loss 3516, val acc 0.456. Fixed copy (--init-std 0.125): init loss 1.667,
final train loss 0.057, val acc 0.800.
"""
# traindebug-expect: bad_init_scale
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def get_args():
    ap = argparse.ArgumentParser(description="tabular MLP baseline")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--init-std", type=float, default=1.0,
                    help="std of the normal weight init")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def build_mlp(n_in, n_out, hidden, depth):
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, hidden), nn.ReLU()]
        d = hidden
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def init_params(model, std):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=std)
            nn.init.zeros_(m.bias)


@torch.no_grad()
def evaluate(model, loader, loss_fn):
    model.eval()
    tot_loss, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        out = model(xb)
        tot_loss += loss_fn(out, yb).item() * len(yb)
        correct += (out.argmax(1) == yb).sum().item()
        n += len(yb)
    model.train()
    return tot_loss / n, correct / n


def main():
    args = get_args()
    torch.set_num_threads(1)  # tiny model: threading overhead dominates
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    X, y = make_classification(n_samples=2400, n_features=30, n_informative=14,
                               n_redundant=6, n_classes=5, n_clusters_per_class=2,
                               class_sep=1.2, random_state=args.seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=args.seed)
    sc = StandardScaler().fit(X_tr)
    tr = TensorDataset(torch.tensor(sc.transform(X_tr), dtype=torch.float32), torch.tensor(y_tr))
    va = TensorDataset(torch.tensor(sc.transform(X_va), dtype=torch.float32), torch.tensor(y_va))
    tr_dl = DataLoader(tr, batch_size=args.batch_size, shuffle=True)
    va_dl = DataLoader(va, batch_size=512)

    model = build_mlp(X.shape[1], 5, args.hidden, args.depth)
    init_params(model, args.init_std)

    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = nn.CrossEntropyLoss()

    l0, a0 = evaluate(model, va_dl, loss_fn)
    print(f"init  val_loss {l0:.3f}  val_acc {a0:.3f}")
    steps = 0
    for ep in range(args.epochs):
        tot, n = 0.0, 0
        for xb, yb in tr_dl:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
            n += len(yb)
            steps += 1
        if ep % 3 == 2 or ep == args.epochs - 1:
            vl, va_acc = evaluate(model, va_dl, loss_fn)
            print(f"ep {ep + 1:2d}  train_loss {tot / n:.3f}  val_loss {vl:.3f}  val_acc {va_acc:.3f}")
    print(f"steps {steps}")


if __name__ == "__main__":
    main()
