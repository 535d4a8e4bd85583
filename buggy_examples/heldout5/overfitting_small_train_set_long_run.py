"""Seeded bug: a wide 3-layer MLP (~77k parameters) is trained for 300 full-batch Adam
steps on only 120 noisy samples (make_classification with 15% flipped labels and 40
mostly useless features), with no regularisation and no early stopping. Training loss
goes to ~0 while the validation loss, computed every 20 steps under torch.no_grad(),
bottoms out early and then climbs steadily.

Measured (this script, seed 0): train loss 0.38 -> 0.0038 (step 20 -> 300) while the val
loss reaches its minimum 0.736 at step 40 and then rises monotonically to 0.987 at step
300 (+34%); val acc plateaus at ~0.68. Stopping at step 40 would keep val loss 0.736.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
from sklearn.datasets import make_classification


def init_params(sizes, gen):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.randn(fan_in, fan_out, generator=gen) * (2.0 / fan_in) ** 0.5
        b = torch.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    n_layers = len(params) // 2
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        x = x @ w + b
        if i < n_layers - 1:
            x = torch.relu(x)
    return x


def main():
    gen = torch.Generator().manual_seed(0)
    X, y = make_classification(n_samples=1120, n_features=40, n_informative=6, n_redundant=4,
                               n_classes=2, flip_y=0.15, class_sep=0.8, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    X_tr, y_tr = torch.from_numpy(X[:120]), torch.from_numpy(y[:120]).long()
    X_va, y_va = torch.from_numpy(X[120:]), torch.from_numpy(y[120:]).long()

    params = init_params([40, 256, 256, 2], gen)
    opt = torch.optim.Adam(params, lr=2e-4)

    for step in range(1, 301):
        logits = forward(params, X_tr)
        loss = torch.nn.functional.cross_entropy(logits, y_tr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            with torch.no_grad():
                val_logits = forward(params, X_va)
                val_loss = torch.nn.functional.cross_entropy(val_logits, y_va).item()
                val_acc = (val_logits.argmax(1) == y_va).float().mean().item()
            print(f"step {step:3d} train loss {loss.item():.4f} val loss {val_loss:.4f} val acc {val_acc:.3f}")


if __name__ == "__main__":
    main()
