"""
Continual learning with Elastic Weight Consolidation on split digits (load_digits).
Task A = digits 0-4, task B = digits 5-9 (task-incremental: logits are restricted to the
current task's five classes). MLP 64-128-128-10 with ReLU, Adam lr 2e-3, batch 32,
8 epochs per task (344 optimizer steps in total). After task A a diagonal empirical
Fisher is estimated from 200 single-sample gradients and an EWC penalty (lambda 200)
anchors the task-A weights while task B is learned. Reports accuracy on both tasks.

Seeded bug: in the inner training loop the author wrote `optimizer.zero_grad` without the
call parentheses. The line is a valid expression statement that does nothing, so .grad is
never reset and every step applies the running sum of all previous gradients (the Fisher
helper correctly calls model.zero_grad(), which only clears gradients once, between the
tasks). A typo-level mistake that Python happily accepts.

Measured (seed 0, 1 thread): buggy: final test acc task A 0.602 / task B 0.554 (mean 0.578),
last-epoch training loss 146 (CE + EWC penalty). Fixed copy (optimizer.zero_grad()):
task A 0.969 / task B 0.973 (mean 0.971), last-epoch training loss 0.10.
"""
# traindebug-expect: missing_zero_grad
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def get_args():
    p = argparse.ArgumentParser(description="EWC on split digits")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--ewc-lambda", type=float, default=200.0)
    p.add_argument("--fisher-samples", type=int, default=200)
    return p.parse_args()


class MLP(nn.Module):
    def __init__(self, d_in=64, d_hidden=128, n_out=10):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.fc2 = nn.Linear(d_hidden, d_hidden)
        self.out = nn.Linear(d_hidden, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


class EWC:
    def __init__(self, model, x, y, classes, n_samples):
        self.anchor = {n: p.detach().clone() for n, p in model.named_parameters()}
        self.fisher = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
        idx = torch.randperm(len(x))[:n_samples]
        for i in idx:
            model.zero_grad()
            logits = model(x[i:i + 1])[:, classes]
            loss = F.cross_entropy(logits, y[i:i + 1] - classes[0])
            loss.backward()
            for n, p in model.named_parameters():
                self.fisher[n] += p.grad.detach() ** 2 / n_samples
        model.zero_grad()

    def penalty(self, model):
        total = 0.0
        for n, p in model.named_parameters():
            total = total + (self.fisher[n] * (p - self.anchor[n]) ** 2).sum()
        return total


def task_accuracy(model, x, y, classes):
    model.eval()
    with torch.no_grad():
        pred = model(x)[:, classes].argmax(1) + classes[0]
    model.train()
    return (pred == y).float().mean().item()


def main():
    args = get_args()
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    tasks = {"A": list(range(0, 5)), "B": list(range(5, 10))}
    splits = {}
    for name, classes in tasks.items():
        mtr = (ytr >= classes[0]) & (ytr <= classes[-1])
        mte = (yte >= classes[0]) & (yte <= classes[-1])
        splits[name] = (Xtr[mtr], ytr[mtr], Xte[mte], yte[mte])

    model = MLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    ewc = None
    step = 0
    for name, classes in tasks.items():
        xtr, ytr_t, _, _ = splits[name]
        n = len(xtr)
        for epoch in range(args.epochs):
            perm = torch.randperm(n)
            running = 0.0
            for i in range(0, n, args.batch_size):
                idx = perm[i:i + args.batch_size]
                xb, yb = xtr[idx], ytr_t[idx]
                optimizer.zero_grad
                logits = model(xb)[:, classes]
                loss = F.cross_entropy(logits, yb - classes[0])
                if ewc is not None:
                    loss = loss + args.ewc_lambda * ewc.penalty(model)
                loss.backward()
                optimizer.step()
                running += loss.item() * len(idx)
                step += 1
            if epoch % 2 == 1 or epoch == args.epochs - 1:
                accs = {t: task_accuracy(model, splits[t][2], splits[t][3], c)
                        for t, c in tasks.items()}
                print(f"task {name} epoch {epoch + 1} step {step} loss {running / n:.4f} "
                      f"acc A {accs['A']:.3f} acc B {accs['B']:.3f}")
        ewc = EWC(model, xtr, ytr_t, classes, args.fisher_samples)

    accs = {t: task_accuracy(model, splits[t][2], splits[t][3], c) for t, c in tasks.items()}
    print(f"final: task A acc {accs['A']:.3f}  task B acc {accs['B']:.3f}  "
          f"mean {np.mean(list(accs.values())):.3f}")


if __name__ == "__main__":
    main()
