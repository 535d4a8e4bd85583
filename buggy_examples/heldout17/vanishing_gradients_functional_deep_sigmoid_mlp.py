"""Seeded bug (vanishing_gradients): a 11-hidden-layer, width-32 MLP written functionally with
explicit weight tensors uses logistic sigmoid between layers with Glorot init; sigmoid' <= 0.25 and
its outputs are not zero-centred, so the gradient reaching the first layer is ~1e-7 of the norm
at the output layer (measured |g_W1| ~6e-7 vs |g_Wout| ~0.2) and the early layers never train.
Measured (300 SGD-momentum steps): buggy train loss stays at 1.40 (ln 4 = 1.386), train acc 0.244,
test acc 0.265; fixed copy with tanh activations: train loss 0.21, train acc 0.945, test acc 0.865.
"""
# traindebug-expect: vanishing_gradients
import math
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
g = torch.Generator().manual_seed(7)

X, y = make_classification(n_samples=2000, n_features=20, n_informative=12, n_redundant=4,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.5, random_state=7)
X = StandardScaler().fit_transform(X)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
Xtr, ytr, Xte, yte = X[:1600], y[:1600], X[1600:], y[1600:]

WIDTHS = [20] + [32] * 10 + [4]


def glorot(fan_in, fan_out):
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return (torch.randn(fan_out, fan_in, generator=g) * std).requires_grad_()


params = []
for fi, fo in zip(WIDTHS[:-1], WIDTHS[1:]):
    params.append(glorot(fi, fo))
    params.append(torch.zeros(fo, requires_grad=True))


def forward(x, params):
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        W, b = params[2 * i], params[2 * i + 1]
        h = F.linear(h, W, b)
        if i < n_layers - 1:
            h = torch.sigmoid(h)
    return h


def accuracy(x, t):
    with torch.no_grad():
        return (forward(x, params).argmax(1) == t).float().mean().item()


lr, momentum, batch = 0.05, 0.9, 64
velocity = [torch.zeros_like(p) for p in params]
steps = 0
for epoch in range(12):
    perm = torch.randperm(len(Xtr), generator=g)
    running = 0.0
    for i in range(0, len(Xtr), batch):
        idx = perm[i:i + batch]
        loss = F.cross_entropy(forward(Xtr[idx], params), ytr[idx])
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, v, gr in zip(params, velocity, grads):
                v.mul_(momentum).add_(gr)
                p.sub_(lr * v)
        running += loss.item()
        steps += 1
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch:2d} loss {running / math.ceil(len(Xtr) / batch):.4f} "
              f"test acc {accuracy(Xte, yte):.3f}")

print(f"steps {steps} train acc {accuracy(Xtr, ytr):.3f} test acc {accuracy(Xte, yte):.3f}")
