"""Healthy control: Switch-style top-1 mixture-of-experts classifier (8 expert
MLPs, softmax router, gate-weighted expert output, load-balancing aux loss) on
a 5-class make_classification problem, batch size 12, Adam, 300 steps.

Legitimate pattern that may look suspicious: with 12 rows and 8 experts,
several experts get no rows on a given step, so their parameters have
.grad None/zero on that step, and their ReLU units produce nothing on that
batch. This is normal sparse routing: over the run every expert gets
gradients (measured steps-with-gradient per expert: [281, 160, 90, 260, 243,
260, 282, 77] of 300) and every expert is used on the test set.

Measured: loss 1.81 -> ~0.4-0.7 (noisy, batch 12), test acc 0.177 -> 0.710
(chance 0.20; logistic regression gets 0.613 on the same split).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


class Top1MoE(nn.Module):
    """Switch-style layer: every row is sent to exactly one expert MLP."""

    def __init__(self, d, n_experts=8, d_ff=32):
        super().__init__()
        self.router = nn.Linear(d, n_experts)
        self.experts = nn.ModuleList(
            [nn.Sequential(nn.Linear(d, d_ff), nn.ReLU(), nn.Linear(d_ff, d)) for _ in range(n_experts)]
        )
        self.n_experts = n_experts

    def forward(self, x):
        probs = torch.softmax(self.router(x), dim=-1)
        gate, choice = probs.max(dim=-1)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            rows = (choice == e).nonzero(as_tuple=True)[0]
            if rows.numel() == 0:
                continue
            out[rows] = gate[rows, None] * expert(x[rows])
        # switch-transformer load-balancing term
        frac = torch.bincount(choice, minlength=self.n_experts).float() / len(x)
        self.aux_loss = self.n_experts * (frac * probs.mean(0)).sum()
        return out, choice


class MoEClassifier(nn.Module):
    def __init__(self, d_in, n_classes, d=32):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.norm = nn.LayerNorm(d)
        self.moe = Top1MoE(d)
        self.out = nn.Linear(d, n_classes)

    def forward(self, x):
        h = self.inp(x)
        y, choice = self.moe(self.norm(h))
        return self.out(h + y), choice


def main():
    torch.manual_seed(2)
    x, y = make_classification(n_samples=1500, n_features=20, n_informative=12, n_redundant=4,
                               n_classes=5, n_clusters_per_class=3, class_sep=1.5, random_state=2)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=2)
    sc = StandardScaler().fit(x_tr)
    x_tr = torch.tensor(sc.transform(x_tr), dtype=torch.float32)
    x_te = torch.tensor(sc.transform(x_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = MoEClassifier(20, 5)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    n_exp = model.moe.n_experts
    steps_with_grad = torch.zeros(n_exp, dtype=torch.long)
    steps, bs = 300, 12
    for step in range(steps):
        idx = torch.randint(0, len(x_tr), (bs,))
        logits, choice = model(x_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx]) + 0.02 * model.moe.aux_loss
        opt.zero_grad()
        loss.backward()
        for e, expert in enumerate(model.moe.experts):
            g = expert[0].weight.grad
            steps_with_grad[e] += int(g is not None and g.abs().sum() > 0)
        opt.step()
        if step % 60 == 0 or step == steps - 1:
            with torch.no_grad():
                te_logits, te_choice = model(x_te)
                acc = (te_logits.argmax(1) == y_te).float().mean().item()
                load = torch.bincount(te_choice, minlength=n_exp).tolist()
            print(f"step {step:3d}  loss {loss.item():.3f}  test acc {acc:.3f}  "
                  f"experts used this batch {len(choice.unique())}/{n_exp}  test load {load}")
    print("steps with gradient per expert:", steps_with_grad.tolist())


if __name__ == "__main__":
    main()
