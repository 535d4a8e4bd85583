"""Clean control. Small BatchNorm CNN on sklearn digits (8x8) trained with SGD + Nesterov and
OneCycleLR with a high peak lr of 0.4 (div_factor 20, final lr ~1e-4), weight decay on conv/linear
weights only, and random 1-pixel roll augmentation.

Pattern that may fool a naive detector: the lr climbs to 0.4 (large update-to-weight ratios
around the peak) and the test loss is very high early (19.4 after epoch 0, 6.2 after epoch 1)
because BatchNorm running statistics lag behind the fast-moving weights. This is normal one-cycle
behaviour: the BN network is stable at this peak and the annealing phase converges.

Measured (6 epochs, 252 steps): train loss 1.33 -> 0.41 -> 0.36 -> 0.15 -> 0.083 -> 0.049,
test loss 0.081, test acc 0.971.
"""
# traindebug-expect: clean
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class SmallConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(32)
        self.c2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(64)
        self.c3 = nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.b3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.b1(self.c1(x)))
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)
        x = F.relu(self.b3(self.c3(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-lr", type=float, default=0.4)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=2)
    return ap.parse_args()


def main():
    args = parse()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    X, y = load_digits(return_X_y=True)
    X = (X.reshape(-1, 1, 8, 8) / 16.0 - 0.3) / 0.4
    Xtr, Xte, ytr, yte = train_test_split(X.astype(np.float32), y, test_size=0.25,
                                          random_state=args.seed, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

    model = SmallConvNet()
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.wd},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.max_lr, momentum=0.9, nesterov=True)
    steps_per_epoch = (len(Xtr) + args.bs - 1) // args.bs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.max_lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.3,
                                                div_factor=20.0, final_div_factor=200.0)
    gen = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr), generator=gen)
        losses = []
        for i in range(0, len(Xtr), args.bs):
            idx = perm[i:i + args.bs]
            xb = Xtr[idx]
            # random 1-pixel shifts as light augmentation
            dx, dy = torch.randint(-1, 2, (2,), generator=gen).tolist()
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            loss = F.cross_entropy(model(xb), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            logits = model(Xte)
            te_loss = F.cross_entropy(logits, yte).item()
            acc = (logits.argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch} lr {sched.get_last_lr()[0]:.4f} train_loss {np.mean(losses):.4f} "
              f"test_loss {te_loss:.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
