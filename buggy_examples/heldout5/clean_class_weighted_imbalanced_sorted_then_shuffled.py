"""clean: binary fraud-style detection on an imbalanced synthetic table (about 8% positives).
The rows arrive sorted by label (all negatives, then all positives, as exported from a
database query), but the DataLoader uses shuffle=True, so every batch is a random sample.
The imbalance is handled with BCEWithLogitsLoss(pos_weight = n_neg / n_pos), and the
features are standardised with training-set statistics. Healthy training.

Measured (this script, seed 0): weighted train loss 1.07 -> 0.335 (256 steps); on the held-out
set recall 0.865, precision 0.716, balanced accuracy 0.914 (an all-negative
predictor would have balanced accuracy 0.50).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


class RiskScorer(nn.Module):
    def __init__(self, n_features, hidden=48):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=5000, n_features=20, n_informative=8,
                               weights=[0.92, 0.08], class_sep=1.0, random_state=0)
    rng = np.random.default_rng(0)
    test_idx = rng.choice(len(X), size=1000, replace=False)
    mask = np.ones(len(X), dtype=bool)
    mask[test_idx] = False
    X_tr, y_tr, X_te, y_te = X[mask], y[mask], X[test_idx], y[test_idx]

    order = np.argsort(y_tr, kind="stable")
    X_tr, y_tr = X_tr[order], y_tr[order]

    mu, sigma = X_tr.mean(0), X_tr.std(0) + 1e-8
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    X_tr, X_te = to_t((X_tr - mu) / sigma), to_t((X_te - mu) / sigma)
    y_tr, y_te = to_t(y_tr), to_t(y_te)

    n_pos = y_tr.sum()
    pos_weight = (len(y_tr) - n_pos) / n_pos
    print(f"train positives {int(n_pos)}/{len(y_tr)}, pos_weight {pos_weight.item():.2f}")

    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=128, shuffle=True)
    model = RiskScorer(X_tr.shape[1])
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    for epoch in range(8):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        print(f"epoch {epoch} weighted train loss {total / len(y_tr):.4f}")

    model.eval()
    with torch.no_grad():
        pred = (model(X_te) > 0).float()
    tp = ((pred == 1) & (y_te == 1)).sum().item()
    fp = ((pred == 1) & (y_te == 0)).sum().item()
    fn = ((pred == 0) & (y_te == 1)).sum().item()
    tn = ((pred == 0) & (y_te == 0)).sum().item()
    recall, precision = tp / (tp + fn), tp / max(tp + fp, 1)
    bacc = 0.5 * (recall + tn / (tn + fp))
    print(f"test recall {recall:.3f} precision {precision:.3f} balanced acc {bacc:.3f}")


if __name__ == "__main__":
    main()
