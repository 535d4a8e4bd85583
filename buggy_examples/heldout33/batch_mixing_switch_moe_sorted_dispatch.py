"""
Switch-style (top-1) mixture-of-experts classifier for the 8x8 digits (load_digits, pixels
/ 16). A shared stem (64 -> 64, GELU) feeds a linear router over 4 experts; each sample is
sent to its arg-max expert (64 -> 96 -> 64 MLP) and the expert output is scaled by the router
probability so the router gets a gradient, then a linear head over 10 classes. For
efficiency the batch is sorted by expert id so each expert runs on one contiguous slice, and
the results are scattered back. Cross-entropy plus the Switch load-balancing loss (0.01),
Adam lr 3e-3 with cosine annealing, batch 64, 12 epochs (264 steps).

Seeded bug: after running the experts on the sorted batch, the author restores the original
order with y_sorted[order] (indexing with the sort permutation a second time) instead of its
inverse (y_sorted[order.argsort()], or y[order] = y_sorted). Every sample therefore receives
the expert output computed for some other sample of the batch; which one depends on how the
router happens to sort the whole batch. The per-sample output depends on the rest of the
batch and the expert branch carries mostly another image's features.

Measured (seed 0, 1 thread): buggy final train loss 2.188, test accuracy 0.098; fixed copy
(y_sorted[order.argsort()]): train loss 0.172, test accuracy 0.942.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class Expert(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class SwitchMoE(nn.Module):
    def __init__(self, d=64, n_experts=4, hidden=96):
        super().__init__()
        self.router = nn.Linear(d, n_experts)
        self.experts = nn.ModuleList(Expert(d, hidden) for _ in range(n_experts))
        self.n_experts = n_experts

    def forward(self, x):
        probs = F.softmax(self.router(x), dim=-1)
        gate, expert_idx = probs.max(dim=-1)
        order = expert_idx.argsort()
        counts = torch.bincount(expert_idx, minlength=self.n_experts).tolist()
        chunks = torch.split(x[order], counts)
        y_sorted = torch.cat([e(c) for e, c in zip(self.experts, chunks)])
        y = y_sorted[order]
        frac = torch.tensor(counts, dtype=x.dtype) / x.shape[0]
        aux = self.n_experts * (frac * probs.mean(0)).sum()
        return gate[:, None] * y, aux


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(64, 64), nn.GELU())
        self.moe = SwitchMoE()
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        h = self.stem(x)
        m, aux = self.moe(h)
        return self.head(m), aux


X, y = load_digits(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_te, dtype=torch.float32)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

model = Classifier()
epochs, bs = 12, 64
steps = epochs * ((len(X_tr) + bs - 1) // bs)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(X_tr), bs):
        idx = perm[i:i + bs]
        logits, aux = model(X_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx]) + 0.01 * aux
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        logits, _ = model(X_te)
        acc = (logits.argmax(1) == y_te).float().mean().item()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d}  train loss {tot / len(X_tr):.4f}  test acc {acc:.3f}")

print(f"final: train loss {tot / len(X_tr):.4f}  test accuracy {acc:.3f}")
