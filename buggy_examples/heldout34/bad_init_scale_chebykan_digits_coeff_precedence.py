"""
Kolmogorov-Arnold network with Chebyshev-polynomial edge functions (ChebyKAN) on load_digits:
three ChebyKAN layers 64 -> 32 -> 16 -> 10 (degree 4, tanh squashing of each layer input onto
[-1, 1], coefficients combined with einsum), standardized pixels, DataLoader batches of 64,
AdamW lr 3e-3, weight decay 1e-4, 10 epochs (220 steps), test loss/accuracy each epoch.

Seeded bug: the coefficients should be initialised with std = 1 / (input_dim * (degree + 1))
(the ChebyKAN reference init), but the line reads
std=input_dim * (degree + 1) ** -0.5; operator precedence makes this
input_dim / sqrt(degree + 1) (~29 for the first layer) instead of a small number. Every
layer's output at initialization is hundreds of units large: the next layer's tanh is pinned
at +-1 and the logits are in the hundreds, so the initial cross-entropy is ~90 and the
network barely learns in the budget.

Measured (seed 0, 1 thread): buggy: train loss 90.5 (epoch 1) -> 57.4 (epoch 10), test loss
57.1, test accuracy 0.078, train accuracy 0.087. Fixed copy (std = 1 / (input_dim *
(degree + 1))): train loss 2.12 -> 0.046, test loss 0.200, test accuracy 0.951.
"""
# traindebug-expect: bad_init_scale
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class ChebyKANLayer(nn.Module):
    """Kolmogorov-Arnold layer with Chebyshev-polynomial edge functions (ChebyKAN)."""

    def __init__(self, input_dim, output_dim, degree):
        super().__init__()
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.degree = degree
        self.cheby_coeffs = nn.Parameter(torch.empty(input_dim, output_dim, degree + 1))
        nn.init.normal_(self.cheby_coeffs, mean=0.0, std=input_dim * (degree + 1) ** -0.5)

    def forward(self, x):
        x = torch.tanh(x)  # Chebyshev polynomials live on [-1, 1]
        T = [torch.ones_like(x), x]
        for _ in range(2, self.degree + 1):
            T.append(2 * x * T[-1] - T[-2])
        T = torch.stack(T[: self.degree + 1], dim=-1)  # (batch, in, degree+1)
        return torch.einsum("bid,iod->bo", T, self.cheby_coeffs)


class KANClassifier(nn.Module):
    def __init__(self, dims=(64, 32, 16, 10), degree=4):
        super().__init__()
        self.layers = nn.ModuleList(
            ChebyKANLayer(a, b, degree) for a, b in zip(dims[:-1], dims[1:])
        )

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


digits = load_digits()
X = digits.data.astype(np.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = digits.target
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
X_te_t, y_te_t = torch.from_numpy(X_te), torch.from_numpy(y_te)

model = KANClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)


def accuracy(logits, target):
    return (logits.argmax(1) == target).float().mean().item()


t0 = time.time()
step = 0
for epoch in range(1, 11):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in train_dl:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
        n += len(xb)
        step += 1
    model.eval()
    with torch.no_grad():
        te_logits = model(X_te_t)
        te_loss = F.cross_entropy(te_logits, y_te_t).item()
        te_acc = accuracy(te_logits, y_te_t)
    if epoch % 2 == 0 or epoch == 1:
        print(f"epoch {epoch:2d}  step {step:4d}  train loss {tot / n:.4f}  test loss {te_loss:.4f}  test acc {te_acc:.3f}")

with torch.no_grad():
    tr_acc = accuracy(model(torch.from_numpy(X_tr)), torch.from_numpy(y_tr))
print(f"final train acc {tr_acc:.3f}  test loss {te_loss:.4f}  test acc {te_acc:.3f}  ({time.time() - t0:.1f}s)")
