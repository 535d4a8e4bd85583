"""
Knowledge distillation on the 8x8 digits: a scikit-learn multinomial LogisticRegression on the
standardised pixels is the teacher; its log-probabilities, softened with temperature T=4, are distilled into a small PyTorch
student (64 -> 48 -> 10, ReLU) with loss alpha*T^2*KL(teacher_T || student_T) + (1-alpha)*CE.
Adam, batch 64, 12 epochs (276 student optimizer steps), DataLoader, argparse config.

Seeded bug: the student learning rate is derived with the linear scaling rule
lr = base_lr * batch_size / ref_batch, with ref_batch=4096 copied from a large-batch distillation
paper, while base_lr (1e-3) is already the value tuned for small batches. The effective rate is
1.6e-5: every Adam step moves each weight by ~1e-5, so after 276 steps the student has hardly moved
from its initialisation (loss barely below its starting value, accuracy far below the teacher).

Measured (seed 0, 1 thread): buggy (lr 1.6e-5): final distill loss 9.65, student test acc 0.189.
Fixed copy (lr 1e-3, i.e. ref_batch = batch_size): final distill loss 0.441, test acc 0.931.
"""
# traindebug-expect: lr_too_low
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--base-lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--ref-batch", type=int, default=4096)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--temperature", type=float, default=4.0)
    p.add_argument("--alpha", type=float, default=0.9)
    return p.parse_args()


def distill_loss(student_logits, teacher_logp, targets, T, alpha):
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1),
                    F.log_softmax(teacher_logp / T, dim=1),
                    reduction="batchmean", log_target=True)
    hard = F.cross_entropy(student_logits, targets)
    return alpha * T * T * soft + (1 - alpha) * hard


def main():
    args = parse_args()
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)

    teacher = LogisticRegression(C=0.5, max_iter=1000).fit(Xtr, ytr)
    print(f"teacher test acc {teacher.score(Xte, yte):.3f}")
    teacher_logp = teacher.predict_log_proba(Xtr)

    ds = TensorDataset(torch.tensor(Xtr, dtype=torch.float32),
                       torch.tensor(teacher_logp, dtype=torch.float32),
                       torch.tensor(ytr))
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True)
    xte_t, yte_t = torch.tensor(Xte, dtype=torch.float32), torch.tensor(yte)

    student = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 10))
    lr = args.base_lr * args.batch_size / args.ref_batch
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    print(f"student lr {lr:.2e}")

    for epoch in range(args.epochs):
        student.train()
        running, n = 0.0, 0
        for xb, tb, yb in loader:
            loss = distill_loss(student(xb), tb, yb, args.temperature, args.alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(xb)
            n += len(xb)
        student.eval()
        with torch.no_grad():
            acc = (student(xte_t).argmax(1) == yte_t).float().mean().item()
        if epoch % 3 == 2 or epoch == 0:
            print(f"epoch {epoch:2d} distill loss {running / n:.4f} student test acc {acc:.3f}")
    print(f"final distill loss {running / n:.4f} student test acc {acc:.3f}")


if __name__ == "__main__":
    main()
