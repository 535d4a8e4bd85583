"""
FixMatch-style semi-supervised learning on sklearn digits (8x8) with only 10
labelled images per class: the remaining ~1300 training images are used
unlabelled. A BatchNorm MLP is trained with cross-entropy on the labelled batch plus
a consistency term: pseudo-labels from a weakly augmented view (1-pixel shift)
are kept when confidence > 0.9 and used as targets for a strongly augmented view
(shift + pixel noise + cutout). SGD with Nesterov momentum, cosine decay, 200 steps.

Seeded bug: the balanced labelled subset is built class by class, so the author
writes y_lab = np.repeat(np.arange(10), PER_CLASS); afterwards the index array is
shuffled "so labelled batches are not class-sorted" and only then used to gather
X_lab. The images are reordered but the label vector is not, so labelled images
carry essentially random labels (~10% agreement), and pseudo-labelling then
amplifies the noise. Typical ordering mistake when building few-label splits.
Measured (seed 0, 200 steps): buggy final test accuracy 0.100 (chance) vs
fixed copy (y_lab = y_tr[lab_idx]) test accuracy 0.919. CPU time ~9.0-9.7 s.
"""
# traindebug-expect: label_problem
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

PER_CLASS = 10
STEPS = 200
LAB_BS, UNL_BS = 32, 64
THRESH, LAMBDA_U = 0.9, 1.0

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)

lab_idx = np.concatenate([
    rng.choice(np.flatnonzero(y_tr == c), PER_CLASS, replace=False) for c in range(10)
])
y_lab = np.repeat(np.arange(10), PER_CLASS)
rng.shuffle(lab_idx)
unl_idx = np.setdiff1d(np.arange(len(X_tr)), lab_idx)

X_lab = torch.from_numpy(X_tr[lab_idx]).unsqueeze(1)
y_lab = torch.from_numpy(y_lab).long()
X_unl = torch.from_numpy(X_tr[unl_idx]).unsqueeze(1)
X_test = torch.from_numpy(X_te).unsqueeze(1)
y_test = torch.from_numpy(y_te).long()
print(f"labelled {len(X_lab)}, unlabelled {len(X_unl)}, test {len(X_test)}")


def weak_aug(x):
    dx, dy = np.random.randint(-1, 2, size=2)
    return torch.roll(x, shifts=(int(dx), int(dy)), dims=(2, 3))


def strong_aug(x):
    x = weak_aug(x)
    x = (x + 0.15 * torch.randn_like(x)).clamp(0, 1)
    b = x.shape[0]
    cy = torch.randint(0, 8, (b,))
    cx = torch.randint(0, 8, (b,))
    rows = torch.arange(8).view(1, 8, 1)
    cols = torch.arange(8).view(1, 1, 8)
    hole = ((rows - cy.view(-1, 1, 1)).abs() <= 1) & ((cols - cx.view(-1, 1, 1)).abs() <= 1)
    return x.masked_fill(hole.unsqueeze(1), 0.0)


class DigitMLP(nn.Module):
    def __init__(self, n_classes=10, hidden=256):
        super().__init__()
        self.body = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, hidden // 2), nn.BatchNorm1d(hidden // 2), nn.ReLU(),
        )
        self.head = nn.Linear(hidden // 2, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


model = DigitMLP()
opt = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9, nesterov=True, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: math.cos(7 * math.pi * s / (16 * STEPS)))


def evaluate():
    model.eval()
    with torch.no_grad():
        acc = (model(X_test).argmax(1) == y_test).float().mean().item()
    model.train()
    return acc


for step in range(1, STEPS + 1):
    li = torch.randint(0, len(X_lab), (LAB_BS,))
    ui = torch.randint(0, len(X_unl), (UNL_BS,))
    xl, yl, xu = X_lab[li], y_lab[li], X_unl[ui]

    xw, xs = weak_aug(xu), strong_aug(xu)
    logits = model(torch.cat([weak_aug(xl), xw, xs]))
    logits_l = logits[:LAB_BS]
    logits_w, logits_s = logits[LAB_BS:].chunk(2)

    loss_x = F.cross_entropy(logits_l, yl)
    probs_w = logits_w.detach().softmax(1)
    conf, pseudo = probs_w.max(1)
    mask = (conf > THRESH).float()
    loss_u = (F.cross_entropy(logits_s, pseudo, reduction="none") * mask).mean()
    loss = loss_x + LAMBDA_U * loss_u

    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()

    if step % 50 == 0 or step == 1:
        print(f"step {step:3d}  loss_x {loss_x.item():.3f}  loss_u {loss_u.item():.3f}  "
              f"mask {mask.mean().item():.2f}  test acc {evaluate():.3f}")

print(f"final test accuracy: {evaluate():.3f}")
