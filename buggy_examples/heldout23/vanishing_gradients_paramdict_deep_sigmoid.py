"""Deep (9 weight layers) classifier on sklearn digits whose weights live in an
nn.ParameterDict and are applied functionally with F.linear; SGD with momentum.

Seeded bug (vanishing_gradients): the hidden activation is the logistic sigmoid in a
9-layer stack (Glorot-uniform init, derivative <= 0.25 per layer).  The backward
signal shrinks by ~4x per layer, so the first layers get gradients four orders of
magnitude smaller than the output layer and the net never leaves chance level.

Measured (300 steps): grad-norm of w0 7e-6 to 1.4e-5 vs 0.1-0.3 for the output layer
w8 (ratio ~1e-4 to 1e-5); training loss stays ~2.30 and test accuracy 0.098.  The
same script with tanh hidden activations: |grad w0| 1e-2 to 1 (same order as w8),
training loss 0.04, test accuracy 0.93.
"""
# traindebug-expect: vanishing_gradients
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(2)

WIDTHS = [64, 48, 48, 48, 48, 48, 48, 48, 48, 10]
ACT = torch.sigmoid


def build_params(widths):
    params = nn.ParameterDict()
    for k, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        params[f"w{k}"] = nn.Parameter(torch.empty(fan_out, fan_in).uniform_(-bound, bound))
        params[f"b{k}"] = nn.Parameter(torch.zeros(fan_out))
    return params


def forward(params, x, n_layers=len(WIDTHS) - 1):
    h = x
    for k in range(n_layers):
        h = F.linear(h, params[f"w{k}"], params[f"b{k}"])
        if k < n_layers - 1:
            h = ACT(h)
    return h


def evaluate(params, x, y):
    with torch.no_grad():
        logits = forward(params, x)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(digits.target)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)

params = build_params(WIDTHS)
opt = torch.optim.SGD(params.parameters(), lr=0.1, momentum=0.9)
steps, bs = 300, 64
for step in range(1, steps + 1):
    idx = torch.randint(0, len(ytr), (bs,))
    loss = F.cross_entropy(forward(params, Xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        te_loss, te_acc = evaluate(params, Xte, yte)
        print(f"step {step:3d}  loss {loss.item():.3f}  test loss {te_loss:.3f}  test acc {te_acc:.3f}")
