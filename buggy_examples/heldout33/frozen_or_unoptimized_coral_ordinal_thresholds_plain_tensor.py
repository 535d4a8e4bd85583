"""
Ordinal regression (CORAL-style rank-consistent model) on scikit-learn's diabetes data: the
disease-progression target is cut into 5 ordered severity grades by quintiles. An MLP
(10 -> 64 -> 32 -> 1, ReLU, standardized inputs) produces one shared score; K-1 = 4
threshold biases turn it into the binary logits for "grade > k", trained with
BCEWithLogitsLoss on the extended binary labels. Adam lr 1e-2 with StepLR, batch 32,
25 epochs (300 steps). Reports train loss, test accuracy and mean absolute grade error.

Seeded bug: the threshold biases are created as a plain tensor,
torch.zeros(K - 1, requires_grad=True), stored on the module instead of wrapping it in
nn.Parameter (as the reference CORAL code does). It receives a gradient on every backward
pass, but model.parameters() does not contain it, so Adam never updates it: all four
thresholds stay at 0, every "grade > k" task gets the same logit, and the model can only
ever predict grade 0 or grade 4.

Measured (seed 0, 1 thread): buggy final train loss 0.492, test accuracy 0.315, test MAE
1.39 grades (thresholds still exactly 0); fixed copy (nn.Parameter(torch.zeros(K - 1))):
train loss 0.339, test accuracy 0.427, test MAE 0.92 grades.
"""
# traindebug-expect: frozen_or_unoptimized
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--grades", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


class CoralNet(nn.Module):
    def __init__(self, n_features, n_grades):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, 64), nn.ReLU(),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, 1, bias=False),
        )
        self.thresholds = torch.zeros(n_grades - 1, requires_grad=True)

    def forward(self, x):
        return self.body(x) + self.thresholds


def levels_from_grades(y, n_grades):
    return (y[:, None] > torch.arange(n_grades - 1)[None, :]).float()


def predict_grade(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


def main():
    args = parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    X, target = load_diabetes(return_X_y=True)
    edges = np.quantile(target, np.linspace(0, 1, args.grades + 1)[1:-1])
    grades = np.digitize(target, edges)
    X_tr, X_te, g_tr, g_te = train_test_split(X, grades, test_size=0.2, random_state=args.seed,
                                              stratify=grades)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
    g_tr, g_te = torch.tensor(g_tr), torch.tensor(g_te)
    lv_tr = levels_from_grades(g_tr, args.grades)

    model = CoralNet(X_tr.shape[1], args.grades)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

    n = len(X_tr)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(X_tr[idx])
            loss = F.binary_cross_entropy_with_logits(logits, lv_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        if (epoch + 1) % 5 == 0:
            model.eval()
            with torch.no_grad():
                pred = predict_grade(model(X_te))
                acc = (pred == g_te).float().mean().item()
                mae = (pred - g_te).abs().float().mean().item()
            print(f"epoch {epoch + 1:2d}  train loss {total / n:.4f}  test acc {acc:.3f}  "
                  f"test MAE {mae:.3f}")

    print(f"final: train loss {total / n:.4f}  test accuracy {acc:.3f}  test MAE {mae:.3f} grades")


if __name__ == "__main__":
    main()
