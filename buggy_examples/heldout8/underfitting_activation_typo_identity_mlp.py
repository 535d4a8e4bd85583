"""MLP for the two-spirals problem, built from a config dict (nn.Sequential,
RMSprop, BCEWithLogitsLoss).

Seeded bug (underfitting): the config says activation "Relu", and the lookup
ACTIVATIONS.get(name, nn.Identity) silently falls back to nn.Identity. The
3x64 "deep" network is therefore one linear map, which cannot separate the
spirals. The updates themselves are healthy; the model simply cannot fit the data.

Measured (30 epochs, 390 steps): full-data loss stays at 0.63-0.65, acc 0.61-0.66.
With activation "relu": loss 0.004, acc 1.000.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn

CONFIG = {
    "hidden": [64, 64, 64],
    "activation": "Relu",
    "lr": 3e-3,
    "alpha": 0.9,
    "batch_size": 64,
    "epochs": 30,
    "n_points": 400,
    "seed": 21,
}

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "silu": nn.SiLU}


def two_spirals(n_per_arm, noise, rng):
    theta = np.sqrt(rng.uniform(0, 1, n_per_arm)) * 3.2 * np.pi
    r = theta / (3.2 * np.pi)
    arm = np.stack([r * np.cos(theta), r * np.sin(theta)], 1)
    X = np.concatenate([arm, -arm]) + rng.normal(0, noise, (2 * n_per_arm, 2))
    y = np.concatenate([np.zeros(n_per_arm), np.ones(n_per_arm)])
    return X.astype(np.float32), y.astype(np.float32)


def build_mlp(n_in, hidden, activation):
    act = ACTIVATIONS.get(activation, nn.Identity)
    layers, prev = [], n_in
    for h in hidden:
        layers += [nn.Linear(prev, h), act()]
        prev = h
    layers.append(nn.Linear(prev, 1))
    return nn.Sequential(*layers)


def run(cfg):
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    X, y = two_spirals(cfg["n_points"], 0.02, rng)
    X_t, y_t = torch.from_numpy(X) * 2.0, torch.from_numpy(y)
    net = build_mlp(2, cfg["hidden"], cfg["activation"])
    opt = torch.optim.RMSprop(net.parameters(), lr=cfg["lr"], alpha=cfg["alpha"])
    loss_fn = nn.BCEWithLogitsLoss()
    n = len(X_t)
    for epoch in range(cfg["epochs"]):
        order = torch.randperm(n)
        for s in range(0, n, cfg["batch_size"]):
            b = order[s:s + cfg["batch_size"]]
            loss = loss_fn(net(X_t[b]).squeeze(-1), y_t[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if epoch % 5 == 4 or epoch == 0:
            with torch.no_grad():
                logits = net(X_t).squeeze(-1)
                full = loss_fn(logits, y_t).item()
                acc = ((logits > 0).float() == y_t).float().mean().item()
            print(f"epoch {epoch + 1:3d} loss {full:.4f} acc {acc:.3f}")


if __name__ == "__main__":
    run(CONFIG)
