"""Functional-style 3-arm spiral classifier: explicit parameter tensors in a dict,
a `dense(x, w, b, act=None)` helper, a 2-64-64-64-3 stack, Adagrad (lr 0.05),
300 steps of 96 points.

Seeded bug: `forward` calls `dense(...)` for the hidden layers without passing
`act=torch.relu`, so the helper's default (no activation) is used and the four
layers compose into a single affine map. A linear classifier cannot separate
interleaved spiral arms: training loss plateaus far above zero although the
updates themselves are perfectly healthy.

Measured: buggy full-train loss 0.84 at step 50, 0.83 at step 300 (chance is
1.10), train acc 0.49, test acc 0.53. With act=torch.relu on the hidden layers:
train loss 0.046 at step 50 and 0.0013 at step 300, train/test acc 1.00/1.00.
"""
# traindebug-expect: underfitting
import math
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_PER_ARM, ARMS = 300, 3
HIDDEN = 64
STEPS = 300
BATCH = 96
LR = 0.05


def spirals(n, arms, noise=0.2, seed=0):
    g = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for k in range(arms):
        r = torch.linspace(0.05, 1.0, n)
        theta = 4.5 * r + 2 * math.pi * k / arms + noise * torch.randn(n, generator=g)
        xs.append(torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1))
        ys.append(torch.full((n,), k))
    return torch.cat(xs), torch.cat(ys)


def init_params(sizes):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = math.sqrt(6.0 / fan_in)
        params[f"w{i}"] = (torch.rand(fan_in, fan_out) * 2 - 1).mul_(bound).requires_grad_()
        params[f"b{i}"] = torch.zeros(fan_out, requires_grad=True)
    return params


def dense(x, w, b, act=None):
    y = x @ w + b
    return act(y) if act is not None else y


def forward(params, x):
    h = dense(x, params["w0"], params["b0"])
    h = dense(h, params["w1"], params["b1"])
    h = dense(h, params["w2"], params["b2"])
    return dense(h, params["w3"], params["b3"])


def accuracy(params, x, y):
    with torch.no_grad():
        return (forward(params, x).argmax(1) == y).float().mean().item()


def main():
    x, y = spirals(N_PER_ARM, ARMS)
    perm = torch.randperm(len(x))
    x, y = x[perm], y[perm]
    x_tr, y_tr, x_te, y_te = x[:720], y[:720], x[720:], y[720:]

    params = init_params([2, HIDDEN, HIDDEN, HIDDEN, ARMS])
    opt = torch.optim.Adagrad(params.values(), lr=LR)

    for step in range(1, STEPS + 1):
        idx = torch.randint(0, len(x_tr), (BATCH,))
        logits = forward(params, x_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                full = F.cross_entropy(forward(params, x_tr), y_tr).item()
            print(f"step {step:3d} train_loss {full:.4f} train_acc {accuracy(params, x_tr, y_tr):.3f} "
                  f"test_acc {accuracy(params, x_te, y_te):.3f}")


if __name__ == "__main__":
    main()
