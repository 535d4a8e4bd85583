"""
One-class anomaly detection with Deep SVDD on the bundled digits: the "normal" class is
digit 0 (training on 70% of the zeros only), anomalies are all other digits. Encoder
64 -> 128 -> 64 -> 16 with LeakyReLU and *no bias terms* (as required by Deep SVDD to avoid
the trivial constant solution), pixels scaled to [0, 1]. The hypersphere centre c is the
mean embedding of the training data after initialisation and is then kept fixed (with
near-zero coordinates pushed to +-0.1, as in the reference implementation). Loss = mean
squared distance to c, Adam lr 1e-3 with weight decay 1e-6, batches of 16, 25 epochs
(~200 steps). Anomaly score = distance to c; ROC-AUC on held-out zeros vs all other digits.

Healthy control: this is the standard Deep SVDD recipe and it separates zeros from other
digits well.
Possible false alarm: the loss shrinks by orders of magnitude towards ~0 and the embedding
spread collapses (every training sample is mapped close to one point); the network has no
bias parameters at all; the centre c is a plain tensor that is never optimised. A naive
detector may read this as collapse / dead representation or as an unoptimised parameter.

Measured (seed 0, 1 thread): train mean squared distance 0.038 (epoch 1) -> 0.00054
(epoch 25), test ROC-AUC 0.831 -> 0.971 (200 optimizer steps).
"""
# traindebug-expect: clean
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class SVDDEncoder(nn.Module):
    def __init__(self, d_in=64, rep_dim=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, 128, bias=False), nn.LeakyReLU(0.1),
            nn.Linear(128, 64, bias=False), nn.LeakyReLU(0.1),
            nn.Linear(64, rep_dim, bias=False),
        )

    def forward(self, x):
        return self.net(x)


@torch.no_grad()
def init_center(model, x, eps=0.1):
    c = model(x).mean(dim=0)
    c[(c.abs() < eps) & (c < 0)] = -eps
    c[(c.abs() < eps) & (c >= 0)] = eps
    return c


def main():
    start = time.process_time()
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    normal_train, normal_test = train_test_split(X[y == 0], test_size=0.3, random_state=0)
    x_train = torch.tensor(normal_train)
    x_test = torch.tensor(np.vstack([normal_test, X[y != 0]]))
    labels = np.r_[np.zeros(len(normal_test)), np.ones((y != 0).sum())]

    model = SVDDEncoder()
    c = init_center(model, x_train)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)

    for epoch in range(25):
        perm = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(x_train), 16):
            xb = x_train[perm[i:i + 16]]
            dist = ((model(xb) - c) ** 2).sum(dim=1)
            loss = dist.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        if epoch % 5 == 0 or epoch == 24:
            with torch.no_grad():
                scores = ((model(x_test) - c) ** 2).sum(dim=1).numpy()
            print(f"epoch {epoch:2d}  train mean dist {total / len(x_train):.5f}  "
                  f"test AUC {roc_auc_score(labels, scores):.3f}")

    with torch.no_grad():
        scores = ((model(x_test) - c) ** 2).sum(dim=1).numpy()
    auc = roc_auc_score(labels, scores)
    print(f"final train dist {total / len(x_train):.5f}  anomaly ROC-AUC {auc:.3f}")
    print(f"cpu time {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main()
