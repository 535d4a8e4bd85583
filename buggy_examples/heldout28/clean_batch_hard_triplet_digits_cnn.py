"""Metric learning on sklearn digits with batch-hard triplet mining.
Small CNN embedder (two 3x3 convs -> 32-D, L2-normalised), class-balanced
P x K batches (8 classes x 8 images), batch-hard triplet loss (hardest positive
and hardest negative per anchor inside the batch, margin 0.3), Adam lr 1e-3,
250 steps.  Evaluated by 1-NN accuracy of test embeddings against the train
embeddings.

Healthy control: correctly wired and well tuned.
Possible false alarm: the hinge loss becomes inactive for most anchors once
the classes are separated by the margin, so from ~step 150 on many batches
have loss (and gradients) of exactly or nearly zero; a naive detector could
read the collapsing gradient norms as vanishing gradients / no gradient flow,
or the class-balanced P x K sampler (label mix per batch != data set mix) as
unshuffled data.
Measured: mean batch-hard loss 0.310 over the first 25 steps -> 0.0014 over
the last 25; test 1-NN accuracy 0.970 at step 0 (random conv features are
already decent on digits) -> 0.996 at the end.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(12)
rng = np.random.default_rng(12)

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=12, stratify=y)
index_by_class = {c: np.flatnonzero(y_tr == c) for c in range(10)}


def pk_batch(p=8, k=8):
    classes = rng.choice(10, p, replace=False)
    idx = np.concatenate([rng.choice(index_by_class[c], k, replace=False) for c in classes])
    return X_tr[idx], torch.from_numpy(y_tr[idx])


class ConvEmbedder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.proj = nn.Linear(64 * 16, dim)

    def forward(self, x):
        return F.normalize(self.proj(self.features(x).flatten(1)), dim=1)


def batch_hard_triplet(emb, labels, margin=0.3):
    d = torch.cdist(emb, emb)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = (d * same.float()).max(1).values
    hardest_neg = d.masked_fill(same, float("inf")).min(1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


@torch.no_grad()
def knn_acc(model):
    model.eval()
    e_tr, e_te = model(X_tr), model(X_te)
    pred = y_tr[torch.cdist(e_te, e_tr).argmin(1).numpy()]
    model.train()
    return float(np.mean(pred == y_te))


model = ConvEmbedder()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
print(f"step   0  1-NN acc {knn_acc(model):.3f}")
history = []
for step in range(1, 251):
    xb, yb = pk_batch()
    loss = batch_hard_triplet(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    history.append(loss.item())
    if step % 50 == 0:
        print(f"step {step:3d}  loss(avg 50) {np.mean(history[-50:]):.4f}  1-NN acc {knn_acc(model):.3f}")

print(f"final: loss first25 {np.mean(history[:25]):.4f} last25 {np.mean(history[-25:]):.4f}  "
      f"test 1-NN accuracy {knn_acc(model):.3f}")
