"""Diabetes regression (standardised inputs and target) trained in a pure
functional style: parameters live in a dict, the step is a pure function built
on torch.func.functional_call + grad_and_value, with hand-written SGD momentum.

Seeded bug (lr_too_high): hp["lr"] = 0.06 with momentum 0.9 (effective step
~0.6) for a tanh MLP on MSE. Training initially makes progress, then
oscillates and climbs back up as steps overshoot the curvature.

Measured (300 steps): buggy train MSE 0.61 -> 0.41 (epoch 16) -> 0.81 at the
end, max batch MSE up to 1.5, test MSE 1.19 (worse than predicting the mean,
1.0); fixed copy (lr 0.01) train MSE 0.39, test MSE 0.56.
"""
# traindebug-expect: lr_too_high
import torch
import torch.nn as nn
from torch.func import functional_call, grad_and_value
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(1)

X, y = load_diabetes(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
f32 = lambda a: torch.tensor(a, dtype=torch.float32)
X_tr, X_te = f32((X_tr - mu) / sd), f32((X_te - mu) / sd)
y_tr, y_te = f32((y_tr - y_mu) / y_sd), f32((y_te - y_mu) / y_sd)

net = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                    nn.Linear(64, 1))
params = {k: v.detach().clone() for k, v in net.named_parameters()}


def loss_fn(p, xb, yb):
    pred = functional_call(net, p, (xb,)).squeeze(-1)
    return ((pred - yb) ** 2).mean()


step_grad = grad_and_value(loss_fn)


def sgd_step(p, v, xb, yb, lr, mom=0.9):
    """Pure function: (params, velocity, batch) -> (new params, new velocity, loss)."""
    g, loss = step_grad(p, xb, yb)
    v = {k: mom * v[k] + g[k] for k in p}
    p = {k: p[k] - lr * v[k] for k in p}
    return p, v, loss


hp = {"lr": 0.06, "batch_size": 32, "epochs": 25}
vel = {k: torch.zeros_like(t) for k, t in params.items()}
step = 0
for epoch in range(hp["epochs"]):
    perm = torch.randperm(len(X_tr))
    losses = []
    for i in range(0, len(perm), hp["batch_size"]):
        b = perm[i:i + hp["batch_size"]]
        params, vel, loss = sgd_step(params, vel, X_tr[b], y_tr[b], hp["lr"])
        losses.append(loss.item())
        step += 1
    if epoch % 4 == 0 or epoch == hp["epochs"] - 1:
        with torch.no_grad():
            te = loss_fn(params, X_te, y_te).item()
        print(f"epoch {epoch:2d} step {step} train_mse {sum(losses) / len(losses):.4f} "
              f"max_batch_mse {max(losses):.3f} test_mse {te:.4f} (std units)")

net.load_state_dict(params, strict=False)
