"""Mixture-of-experts tabular classifier (top-2 gating, Switch-style load
balancing loss) whose experts use a hand-written soft-clip activation
a*tanh(x/a) implemented as a torch.autograd.Function.

Seeded bug: ScaledTanh.backward computes the derivative as 1 - (x/a)**2 using
the saved *input* instead of 1 - tanh(x/a)**2. For |x| > a the gradient flips
sign and grows quadratically, so the analytic gradient disagrees with finite
differences.

Measured (8 epochs, 232 AdamW steps): buggy run train CE goes 0.99 -> 0.65 and
then climbs back to ~1.20, test acc ends at 0.55 (peaks 0.75 at epoch 1);
fixed backward: train CE 1.01 -> 0.41, test acc 0.82.
"""
# traindebug-expect: wrong_gradient
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(7)


class ScaledTanh(torch.autograd.Function):
    """a * tanh(x / a): soft clipping of expert activations, fused forward and
    backward so the intermediate tanh is not stored twice."""

    @staticmethod
    def forward(ctx, x, a):
        ctx.a = a
        ctx.save_for_backward(x)
        return a * torch.tanh(x / a)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        # d/dx a*tanh(x/a) = 1 - tanh(x/a)^2
        return grad_out * (1.0 - (x / ctx.a) ** 2), None


def soft_clip(x, a=1.0):
    return ScaledTanh.apply(x, a)


class Expert(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.up = nn.Linear(d, h)
        self.down = nn.Linear(h, d)

    def forward(self, x):
        return self.down(soft_clip(self.up(x)))


class MoELayer(nn.Module):
    def __init__(self, d, h, n_experts=4, k=2):
        super().__init__()
        self.experts = nn.ModuleList(Expert(d, h) for _ in range(n_experts))
        self.gate = nn.Linear(d, n_experts, bias=False)
        self.k = k
        self.n_experts = n_experts
        self.last_aux = torch.tensor(0.0)

    def forward(self, x):
        logits = self.gate(x)
        probs = logits.softmax(-1)
        topv, topi = probs.topk(self.k, dim=-1)
        topv = topv / topv.sum(-1, keepdim=True)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            mask = (topi == e)
            rows = mask.any(-1).nonzero(as_tuple=True)[0]
            if rows.numel() == 0:
                continue
            w = (topv * mask).sum(-1)[rows].unsqueeze(-1)
            out.index_add_(0, rows, w * expert(x[rows]))
        # Switch-style load balancing loss
        frac = F.one_hot(topi[:, 0], self.n_experts).float().mean(0)
        self.last_aux = self.n_experts * (frac * probs.mean(0)).sum()
        return out


class MoEClassifier(nn.Module):
    def __init__(self, d_in, d_model, n_cls):
        super().__init__()
        self.inp = nn.Linear(d_in, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.moe1 = MoELayer(d_model, 2 * d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.moe2 = MoELayer(d_model, 2 * d_model)
        self.head = nn.Linear(d_model, n_cls)

    def forward(self, x):
        h = self.inp(x)
        h = self.moe1(self.norm1(h))
        h = self.moe2(self.norm2(h))
        return self.head(h)

    def aux_loss(self):
        return self.moe1.last_aux + self.moe2.last_aux


X, y = make_classification(n_samples=2400, n_features=20, n_informative=12,
                           n_redundant=4, n_classes=4, n_clusters_per_class=2,
                           class_sep=1.0, random_state=3)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
sc = StandardScaler().fit(Xtr)
Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
ytr = torch.tensor(ytr)
yte = torch.tensor(yte)

model = MoEClassifier(20, 32, 4)
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-4)
aux_coef = 1e-2
batch = 64
steps = 0
for epoch in range(8):
    perm = torch.randperm(len(Xtr))
    tot, n = 0.0, 0
    for i in range(0, len(Xtr), batch):
        idx = perm[i:i + batch]
        logits = model(Xtr[idx])
        ce = F.cross_entropy(logits, ytr[idx])
        loss = ce + aux_coef * model.aux_loss()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        steps += 1
        tot += ce.item() * len(idx)
        n += len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(-1) == yte).float().mean().item()
    model.train()
    print(f"epoch {epoch} steps {steps} train_ce {tot / n:.4f} test_acc {acc:.3f}")
