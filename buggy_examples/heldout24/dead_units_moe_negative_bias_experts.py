"""Dense mixture-of-experts classifier on sklearn digits (softmax gate over 4 MLP experts).

Seeded bug (dead_units): MoELayer initialises every expert's first-layer bias to
expert_bias_init=-1.0 ("start the experts sparse"). Inputs are pixel/16 in [0, 1] and the
default Linear init gives pre-activations with std ~0.3, so almost every ReLU unit in every
expert is negative on every sample, receives no gradient, and stays dead for the whole run.
The model degenerates to a gate-weighted mixture of the experts' output biases.

Measured (seed 0, 264 Adam steps): fraction of active expert hidden units 0.010,
final train loss 1.51, test accuracy 0.491.
Fixed copy (expert_bias_init=0.0): active fraction 0.815, train loss 0.117, test accuracy 0.956.
"""
# traindebug-expect: dead_units
import math
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
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class MoELayer(nn.Module):
    """Dense (soft) mixture of experts: every expert runs, outputs are mixed by the gate."""

    def __init__(self, d_in, d_out, n_experts=4, d_hidden=48, expert_bias_init=-1.0):
        super().__init__()
        self.gate = nn.Linear(d_in, n_experts)
        self.experts = nn.ModuleList(Expert(d_in, d_hidden, d_out) for _ in range(n_experts))
        # start the experts with sparse hidden codes so they specialise instead of
        # all learning the same dense features
        for e in self.experts:
            nn.init.constant_(e.fc1.bias, expert_bias_init)
        nn.init.zeros_(self.gate.weight)
        nn.init.zeros_(self.gate.bias)

    def forward(self, x):
        g = torch.softmax(self.gate(x), dim=-1)                      # (B, E)
        outs = torch.stack([e(x) for e in self.experts], dim=1)       # (B, E, C)
        y = torch.einsum("be,bec->bc", g, outs)
        # auxiliary load-balancing term: keep mean gate usage close to uniform
        usage = g.mean(0)
        aux = (usage * usage).sum() * g.shape[1]
        return y, aux


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr).long(), torch.from_numpy(yte).long()

    model = MoELayer(64, 10)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    bs, epochs = 64, 12
    n = len(Xtr)
    step = 0
    for ep in range(epochs):
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            logits, aux = model(Xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx]) + 0.01 * aux
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            step += 1
        if ep % 3 == 0 or ep == epochs - 1:
            with torch.no_grad():
                logits, _ = model(Xte)
                acc = (logits.argmax(1) == yte).float().mean().item()
            print(f"epoch {ep:2d} step {step:3d} train_loss {tot / n:.4f} test_acc {acc:.3f}")
    with torch.no_grad():
        h = torch.cat([F.relu(e.fc1(Xtr)) for e in model.experts], 1)
        print(f"final test_acc {acc:.3f}  active hidden fraction {(h > 0).float().mean().item():.4f}")


if __name__ == "__main__":
    main()
