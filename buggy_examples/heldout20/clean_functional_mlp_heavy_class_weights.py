"""Functional-style MLP (raw parameter tensors + F.linear) on a 97/3 imbalanced
make_classification problem with an inverse-frequency weighted cross-entropy.

Healthy control. Pattern that may fool a naive detector: extreme class
imbalance (84 positives out of 2800) and a class weight ratio of ~32x in the
loss; this is the intended remedy, not a label problem.
Measured (330 steps): weighted train loss 0.19 -> 0.043, test balanced
accuracy 0.86-0.89, minority recall 0.75-0.86.
"""
# traindebug-expect: clean
import math
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

X, y = make_classification(n_samples=4000, n_features=16, n_informative=8, n_redundant=2,
                           weights=[0.97, 0.03], class_sep=1.2, flip_y=0.0, random_state=7)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xte = (torch.tensor((a - mu) / sd, dtype=torch.float32) for a in (Xtr, Xte))
ytr_t = torch.tensor(ytr)

# inverse-frequency class weights: the rare class gets ~30x the weight
counts = np.bincount(ytr)
class_w = torch.tensor(len(ytr) / (len(counts) * counts), dtype=torch.float32)
print(f"class counts {counts.tolist()}, weights {[round(w, 2) for w in class_w.tolist()]}")


def init_params(sizes, gen):
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(d_in)
        W = (torch.rand(d_out, d_in, generator=gen) * 2 - 1) * bound * math.sqrt(3)
        b = torch.zeros(d_out)
        params += [W.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    *hidden, W_out, b_out = params
    for W, b in zip(hidden[::2], hidden[1::2]):
        x = F.silu(F.linear(x, W, b))
    return F.linear(x, W_out, b_out)


params = init_params([16, 64, 32, 2], torch.Generator().manual_seed(0))
opt = torch.optim.Adam(params, lr=2e-3)
BS, EPOCHS = 128, 15
g = torch.Generator().manual_seed(1)
step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(len(Xtr), generator=g)
    tot = 0.0
    for i in range(0, len(perm), BS):
        idx = perm[i:i + BS]
        loss = F.cross_entropy(forward(params, Xtr[idx]), ytr_t[idx], weight=class_w)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
        step += 1
    if epoch % 3 == 2:
        with torch.no_grad():
            pred = forward(params, Xte).argmax(1).numpy()
        print(f"epoch {epoch+1:2d} step {step} train loss {tot / math.ceil(len(perm) / BS):.4f} "
              f"bal_acc {balanced_accuracy_score(yte, pred):.3f} "
              f"minority recall {recall_score(yte, pred):.3f}")
