"""Seeded bug: a from-scratch two-hidden-layer network with its parameters
in a plain dict of tensors (no nn.Module), initialised with
torch.full(..., 0.01) "to keep the weights small". Every hidden unit of a
layer starts identical and gets the identical gradient, so each layer acts
like one unit; on 6 Gaussian blobs folded into 3 classes the loss stalls.
Measured: loss 1.10 -> 0.91 vs 1.12 -> 0.25 with
randn / sqrt(fan_in) init."""
# traindebug-expect: symmetric_init
import torch
from sklearn.datasets import make_blobs
import torch.nn.functional as F

X, y = make_blobs(n_samples=1500, centers=6, n_features=2, cluster_std=1.0, random_state=3)
y = y % 3  # 6 blobs, 3 classes: not linearly separable
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)


def init_params(sizes):
    params = {}
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"W{k}"] = torch.full((a, b), 0.01, requires_grad=True)  # BUG: constant init
        params[f"b{k}"] = torch.zeros(b, requires_grad=True)
    return params


def forward(params, x, n_layers):
    for k in range(n_layers):
        x = x @ params[f"W{k}"] + params[f"b{k}"]
        if k < n_layers - 1:
            x = torch.tanh(x)
    return x


torch.manual_seed(0)
sizes = [2, 64, 64, 3]
params = init_params(sizes)
opt = torch.optim.Adam(params.values(), lr=1e-2)
losses = []
for step in range(250):
    idx = torch.randint(0, len(X), (64,))
    loss = F.cross_entropy(forward(params, X[idx], len(sizes) - 1), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if step % 50 == 0:
        print(step, round(sum(losses[-50:]) / len(losses[-50:]), 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
