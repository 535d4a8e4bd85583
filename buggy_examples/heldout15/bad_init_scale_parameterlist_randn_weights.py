"""MLP [64-256-256-128-10] whose weights live in nn.ParameterList and are created with
torch.randn(fan_in, fan_out) without a 1/sqrt(fan_in) scale: each layer multiplies the
activation std by about sqrt(fan_in) (8-16x), so the logits are in the thousands at init.
Measured (280 AdamW steps, load_digits): seeded bug train/test loss 3397/4082 after epoch 0,
still 66/612 at the end, test acc 0.253 -> 0.831; with He scaling (sqrt(2/fan_in)) test loss
0.250 -> 0.122, test acc 0.942 -> 0.971.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
np.random.seed(5)
torch.set_num_threads(2)

d = load_digits()
X = d.data.astype(np.float32) / 16.0          # pixels in [0, 1]
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
X_tr, X_te, y_tr, y_te = train_test_split(X, d.target, test_size=0.25, random_state=5)
X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
y_tr, y_te = torch.from_numpy(y_tr).long(), torch.from_numpy(y_te).long()


class FlexMLP(nn.Module):
    """MLP whose layer sizes are given as a list; parameters kept in ParameterLists."""

    def __init__(self, sizes):
        super().__init__()
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.weights.append(nn.Parameter(torch.randn(fan_in, fan_out)))
            self.biases.append(nn.Parameter(torch.zeros(fan_out)))

    def forward(self, x):
        n = len(self.weights)
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = x @ w + b
            if i < n - 1:
                x = F.gelu(x)
        return x


model = FlexMLP([64, 256, 256, 128, 10])
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)

bs = 48
step = 0
for epoch in range(10):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr) - bs + 1, bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 3 == 0 or epoch == 9:
        with torch.no_grad():
            te_logits = model(X_te)
            te_loss = F.cross_entropy(te_logits, y_te).item()
            acc = (te_logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} step {step:3d}  train {loss.item():9.3f}  test {te_loss:9.3f}  acc {acc:.3f}")
