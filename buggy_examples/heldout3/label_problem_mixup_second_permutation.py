"""Seeded bug: an MLP on the digits data trained with mixup. The helper mixes
the inputs with one random permutation and then draws a NEW permutation to mix
the (label-smoothed) targets, so the mixed-in half of every target belongs to a
different image than the mixed-in half of the input. Final loss 1.916 vs 0.694 fixed
(same permutation), held-out accuracy 0.889 vs 0.949 fixed."""
# traindebug-expect: label_problem
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(digits.target)
X_train, y_train, X_val, y_val = X[:1500], y[:1500], X[1500:], y[1500:]

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
beta = torch.distributions.Beta(0.4, 0.4)


def mixup(xb, yb):
    lam = beta.sample()
    x_mix = lam * xb + (1 - lam) * xb[torch.randperm(len(xb))]
    y_mix = lam * yb + (1 - lam) * yb[torch.randperm(len(yb))]
    return x_mix, y_mix


for step in range(250):
    idx = torch.randint(0, len(X_train), (64,))
    yb = F.one_hot(y_train[idx], 10).float() * 0.9 + 0.01
    x_mix, y_mix = mixup(X_train[idx], yb)
    loss = torch.sum(-y_mix * F.log_softmax(model(x_mix), dim=1), dim=1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 249:
        with torch.no_grad():
            acc = (model(X_val).argmax(1) == y_val).float().mean()
        print(f"step {step} loss {loss.item():.4f} val acc {acc:.3f}")
