"""Digits MLP with a memory-saving custom autograd activation f(x) = 1.7159*tanh(2x/3),
EMA weights used for evaluation.

Seeded bug (wrong_gradient): ScaledTanhFn.backward saves only x and recomputes the
derivative as A*B*(1 - (B*x)**2) instead of A*B*(1 - tanh(B*x)**2); for |x| > ~1.2 the
gradient has the wrong sign and grows quadratically instead of vanishing.

Measured (15 epochs, 330 Adam steps): train loss reaches 0.045 at epoch 6 and then climbs
back to 0.156; EMA val acc 0.947, val loss 0.195.  With the correct backward: train loss
0.010, EMA val loss 0.095, EMA val acc 0.971.  (With SGD lr 0.05 + momentum the same bug
drove the run to NaN by epoch 3.)
"""
# traindebug-expect: wrong_gradient
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

A, B = 1.7159, 2.0 / 3.0  # LeCun's scaled tanh


class ScaledTanhFn(torch.autograd.Function):
    """f(x) = A * tanh(B * x). Only the input is saved; tanh is recomputed in backward
    so the activation output does not have to stay alive for the whole graph."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return A * torch.tanh(B * x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        t = B * x
        return grad_out * A * B * (1.0 - t * t)


class ScaledTanh(nn.Module):
    def forward(self, x):
        return ScaledTanhFn.apply(x)


class Net(nn.Module):
    def __init__(self, d_in=64, hidden=128, n_out=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, hidden), ScaledTanh(),
            nn.Linear(hidden, hidden), ScaledTanh(),
        )
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x))


X, y = load_digits(return_X_y=True)
X = X / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
X_tr, X_va = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_va, dtype=torch.float32)
y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr, y_tr), batch_size=64,
                                     shuffle=True, generator=torch.Generator().manual_seed(0))
model = Net()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
EPOCHS = 15

step = 0
for epoch in range(EPOCHS):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        decay = min(0.99, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - decay)
        tot += loss.item() * len(yb)
        n += len(yb)
    if epoch % 3 == 0 or epoch == EPOCHS - 1:
        with torch.no_grad():
            out = ema(X_va)
            va_loss = F.cross_entropy(out, y_va).item()
            va_acc = (out.argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch:2d} step {step:3d} train_loss={tot / n:.4f} "
              f"ema_val_loss={va_loss:.4f} ema_val_acc={va_acc:.3f}")
