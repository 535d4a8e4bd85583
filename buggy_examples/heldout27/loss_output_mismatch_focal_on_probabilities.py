"""Focal-loss classifier for an imbalanced 4-class problem (generated data).

Seeded bug (loss_output_mismatch): the network ends in nn.Softmax so that
`model(x)` can be used directly as predict_proba in the reporting code, but the
FocalLoss below treats its input as logits and applies log_softmax again.  The
loss then works on softmax(probabilities): p_t can never exceed e/(e+3)=0.475,
the loss has a high floor and the gradients are squashed.
Measured (this file vs. a copy whose model returns raw logits; SGD, 300 steps):
final focal loss 0.248 vs 0.091; balanced val accuracy 0.533 vs 0.697;
majority-class recall 0.22 vs 0.82.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import balanced_accuracy_score, recall_score

torch.set_num_threads(1)
torch.manual_seed(3)


class FocalLoss(nn.Module):
    """Multi-class focal loss (Lin et al. 2017) with per-class alpha."""

    def __init__(self, alpha, gamma=2.0):
        super().__init__()
        self.register_buffer("alpha", torch.as_tensor(alpha, dtype=torch.float32))
        self.gamma = gamma

    def forward(self, logits, target):
        logp = F.log_softmax(logits, dim=1)
        logp_t = logp.gather(1, target.unsqueeze(1)).squeeze(1)
        p_t = logp_t.exp()
        loss = -self.alpha[target] * (1.0 - p_t) ** self.gamma * logp_t
        return loss.mean()


class Classifier(nn.Module):
    def __init__(self, d_in, n_classes, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
            nn.Softmax(dim=1),
        )

    def forward(self, x):
        return self.body(x)


def main():
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=10,
                               n_redundant=4, n_classes=4, n_clusters_per_class=2,
                               weights=[0.7, 0.18, 0.08, 0.04], class_sep=1.2,
                               flip_y=0.01, random_state=11)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr_t = torch.tensor(ytr)
    counts = np.bincount(ytr, minlength=4)
    alpha = (1.0 / counts) / (1.0 / counts).sum() * 4   # inverse-frequency alpha
    print("class counts:", counts.tolist())

    model = Classifier(20, 4)
    crit = FocalLoss(alpha, gamma=2.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)

    bs, steps, step = 64, 300, 0
    g = torch.Generator().manual_seed(0)
    while step < steps:
        perm = torch.randperm(len(ytr_t), generator=g)
        for i in range(0, len(perm) - bs + 1, bs):
            idx = perm[i:i + bs]
            loss = crit(model(Xtr[idx]), ytr_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 50 == 0:
                print(f"step {step:3d} focal loss {loss.item():.4f}")
            if step >= steps:
                break

    model.eval()
    with torch.no_grad():
        proba = model(Xva).numpy()
    pred = proba.argmax(1)
    print(f"balanced val acc {balanced_accuracy_score(yva, pred):.3f}")
    print("per-class recall", np.round(recall_score(yva, pred, average=None), 2).tolist())


if __name__ == "__main__":
    main()
