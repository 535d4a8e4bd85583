"""Clean control: rare-event classifier (~4.5% positives) with a functional-style MLP
(explicit parameter tensors, F.linear) and class-weighted cross-entropy.

Pattern that may fool a naive detector: the labels are heavily imbalanced on purpose
(2865 vs 135 in training) and the loss uses "balanced" class weights (0.52 / 11.11),
so label statistics look extreme and the weighted loss scale differs from ln 2.
This is handled correctly. Measured (300 Adam steps): weighted train loss
0.635 -> 0.053, test balanced accuracy 0.943, minority recall 0.92, PR-AUC 0.79
(vs 0.045 base rate).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, balanced_accuracy_score, recall_score

torch.set_num_threads(1)
torch.manual_seed(13)

# rare-event detection: ~4% positives, kept imbalanced on purpose (matches deployment prior)
X, y = make_classification(n_samples=4000, n_features=20, n_informative=8, n_redundant=4,
                           weights=[0.96, 0.04], class_sep=1.3, flip_y=0.0, random_state=13)
rng = np.random.default_rng(13)
perm = rng.permutation(len(y))
tr, te = perm[:3000], perm[3000:]
mu, sd = X[tr].mean(0), X[tr].std(0)
Xtr = torch.tensor((X[tr] - mu) / sd, dtype=torch.float32)
Xte = torch.tensor((X[te] - mu) / sd, dtype=torch.float32)
ytr, yte = torch.tensor(y[tr]), torch.tensor(y[te])


def init_params(sizes, gen):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.randn(fan_out, fan_in, generator=gen) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    n_layers = len(params) // 2
    for i in range(n_layers):
        x = F.linear(x, params[2 * i], params[2 * i + 1])
        if i < n_layers - 1:
            x = F.leaky_relu(x, 0.01)
    return x


params = init_params([20, 64, 32, 2], torch.Generator().manual_seed(13))
counts = torch.bincount(ytr, minlength=2).float()
class_w = counts.sum() / (2 * counts)          # "balanced" weights, as in sklearn
opt = torch.optim.Adam(params, lr=3e-3)
print(f"train counts {counts.long().tolist()} class weights {[round(v, 2) for v in class_w.tolist()]}")

bs, step = 100, 0
for epoch in range(10):
    order = torch.randperm(len(ytr))
    tot = 0.0
    for i in range(0, len(ytr), bs):
        b = order[i:i + bs]
        loss = F.cross_entropy(forward(params, Xtr[b]), ytr[b], weight=class_w)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
        step += 1
    if epoch % 3 == 0 or epoch == 9:
        with torch.no_grad():
            p = torch.softmax(forward(params, Xte), 1)[:, 1].numpy()
        pred = (p > 0.5).astype(int)
        print(f"epoch {epoch} step {step} train_wloss {tot / math.ceil(len(ytr) / bs):.4f} "
              f"bal_acc {balanced_accuracy_score(yte, pred):.3f} "
              f"minority_recall {recall_score(yte, pred):.3f} "
              f"PR-AUC {average_precision_score(yte, p):.3f}")
