"""
Deep-equilibrium classifier on load_wine (standardized, 70/30 split): a DEQLayer solves
z* = tanh(W z* + U x + b) (W orthogonal with gain 0.5, so the map is a contraction) by
forward iteration to a relative tolerance of 1e-4 (at most 40 iterations) inside
torch.no_grad(), then applies f once more with autograd on (Jacobian-free / phantom gradient
training); linear head, cross-entropy, Adagrad lr 0.01, random batches of 32, 300 steps.

Healthy control: the fixed-point solve is deliberately run without a graph; the single final
application of f gives W, U and b their (approximate implicit) gradients, which is the
standard memory-saving DEQ training scheme.

Possible false alarm: a detector seeing torch.no_grad() in the forward pass, solver iterations
whose activations carry no grad, or a gradient that ignores most of the computation could call
it no_gradient_flow; the solver also runs to its iteration cap, which is harmless here.

Measured (seed 0, 1 thread): train loss 0.029 (step 50) -> 0.0013, test loss 0.063 -> 0.022,
final test accuracy 1.000.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class DEQLayer(nn.Module):
    def __init__(self, in_dim, width, max_iter=40, tol=1e-4):
        super().__init__()
        self.inject = nn.Linear(in_dim, width)
        self.W = nn.Linear(width, width, bias=False)
        nn.init.orthogonal_(self.W.weight, gain=0.5)
        self.max_iter, self.tol = max_iter, tol
        self.last_iters = 0

    def f(self, z, u):
        return torch.tanh(self.W(z) + u)

    def forward(self, x):
        u = self.inject(x)
        with torch.no_grad():
            z = torch.zeros_like(u)
            for k in range(self.max_iter):
                z_next = self.f(z, u)
                if (z_next - z).norm() / (z_next.norm() + 1e-8) < self.tol:
                    z = z_next
                    break
                z = z_next
            self.last_iters = k + 1
        # one extra application with the graph on: Jacobian-free (phantom) gradient
        return self.f(z, u)


model = nn.Sequential(DEQLayer(13, 64), nn.Linear(64, 3))
X, y = load_wine(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
sc = StandardScaler().fit(X_tr)
X_tr, X_te = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (X_tr, X_te))
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

opt = torch.optim.Adagrad(model.parameters(), lr=0.01)
for step in range(1, 301):
    idx = torch.randint(0, X_tr.shape[0], (32,))
    loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        with torch.no_grad():
            out = model(X_te)
            tl = F.cross_entropy(out, y_te).item()
            acc = (out.argmax(1) == y_te).float().mean().item()
        print(f"step {step} loss {loss.item():.4f} test_loss {tl:.4f} test_acc {acc:.3f} solver_iters {model[0].last_iters}")
print(f"final test_acc {acc:.3f} test_loss {tl:.4f}")
