"""
Metric learning on load_digits: MLP embedder (input BatchNorm, 64-128-128-32 with
BatchNorm, ReLU, Dropout 0.3), L2-normalised embeddings, triplet margin loss (margin 0.3)
with online hard-negative mining inside each batch (closest other-class sample, mined in
eval mode under no_grad), random in-class positives, Adam lr 1e-3, batch 64, 12 epochs
(228 steps); evaluation = 5-NN accuracy of test embeddings against train embeddings.

Seeded bug: knn_accuracy() is decorated with @torch.no_grad() but never calls model.eval()
(the mining helper does switch modes correctly). The evaluation therefore runs in train
mode: both dropout layers randomly zero 30 % of the hidden units and BatchNorm uses batch
statistics, so the reference and query embeddings are noisy and the reported accuracy is
systematically wrong/lower. A realistic assumption that no_grad implies eval mode.

Measured (seed 0, 1 thread): buggy: final 5-NN test acc 0.926 (0.73 after epoch 1). Fixed copy
(model.eval() in knn_accuracy): final 5-NN test acc 0.983 (0.94 after epoch 1); triplet
training loss is similar in both (0.073 vs 0.080).
"""
# traindebug-expect: wrong_mode
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

MARGIN = 0.3


def embedder(d_in=64, d_emb=32):
    return nn.Sequential(
        nn.BatchNorm1d(d_in),
        nn.Linear(d_in, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, d_emb),
    )


def embed(model, x):
    return F.normalize(model(x), dim=1)


@torch.no_grad()
def mine_hardest_negatives(model, xb, yb):
    """For every anchor pick the closest sample of another class (online hard-negative mining)."""
    model.eval()
    e = embed(model, xb)
    d = torch.cdist(e, e)
    d[yb[:, None] == yb[None, :]] = float("inf")
    model.train()
    return d.argmin(dim=1)


def sample_positives(yb):
    pos = torch.empty_like(yb)
    for i, c in enumerate(yb.tolist()):
        same = (yb == c).nonzero().flatten()
        same = same[same != i]
        pos[i] = same[torch.randint(len(same), (1,))] if len(same) else i
    return pos


@torch.no_grad()
def knn_accuracy(model, X_ref, y_ref, X_q, y_q, k=5):
    d = torch.cdist(embed(model, X_q), embed(model, X_ref))
    nn_idx = d.topk(k, largest=False).indices
    pred = torch.mode(y_ref[nn_idx], dim=1).values
    return (pred == y_q).float().mean().item()


def main():
    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
    y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

    model = embedder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    bs, step = 64, 0
    for epoch in range(12):
        model.train()
        perm = torch.randperm(len(X_tr))
        tot, nb = 0.0, 0
        for i in range(0, len(X_tr) - bs + 1, bs):
            idx = perm[i:i + bs]
            xb, yb = X_tr[idx], y_tr[idx]
            neg = mine_hardest_negatives(model, xb, yb)
            pos = sample_positives(yb)
            e = embed(model, xb)
            loss = F.triplet_margin_loss(e, e[pos], e[neg], margin=MARGIN)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
            nb += 1
            step += 1
        acc = knn_accuracy(model, X_tr, y_tr, X_te, y_te)
        if epoch % 2 == 1:
            print(f"epoch {epoch:2d}  step {step}  triplet loss {tot / nb:.4f}  5-NN test acc {acc:.4f}")
    print(f"final 5-NN test acc {acc:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
