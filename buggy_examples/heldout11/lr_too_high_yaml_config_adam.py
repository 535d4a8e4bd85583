"""Config-driven training of an MLP on breast-cancer features.

Seeded bug: the YAML config was copied from an SGD recipe (lr 0.5, momentum)
and only `optimizer.name` was switched to adam; Adam with lr=0.5 takes huge
steps, the loss spikes and oscillates instead of converging.

Measured: loss spikes to >1000 in the first 50 steps, windowed train loss
stays 0.18-0.44 with per-window max 2-10; test loss 0.143, test acc 0.958.
Fixed (lr 1e-3 for adam): train loss falls 0.39 -> 0.037 (max <0.7),
test loss 0.032, test acc 0.979.
"""
# traindebug-expect: lr_too_high
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)

CONFIG = """
experiment: wdbc_mlp
seed: 7
data:
  test_size: 0.25
  batch_size: 32
model:
  hidden_sizes: [64, 64]
  dropout: 0.1
optimizer:
  name: adam
  lr: 0.5
  momentum: 0.9
  weight_decay: 0.0
trainer:
  epochs: 25
  log_every: 50
"""


def parse_scalar(v):
    v = v.strip()
    if v.startswith("[") and v.endswith("]"):
        return [parse_scalar(x) for x in v[1:-1].split(",") if x.strip()]
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(v.lower(), v)


def load_yaml(text):
    """Tiny subset of YAML: nested mappings by indentation and inline lists."""
    root, stack = {}, [(-1, None)]
    stack[0] = (-1, root)
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        key, _, val = raw.strip().partition(":")
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if val.strip() == "":
            parent[key] = {}
            stack.append((indent, parent[key]))
        else:
            parent[key] = parse_scalar(val)
    return root


def build_model(in_dim, cfg):
    layers, d = [], in_dim
    for h in cfg["hidden_sizes"]:
        layers += [nn.Linear(d, h), nn.ReLU(), nn.Dropout(cfg["dropout"])]
        d = h
    layers.append(nn.Linear(d, 1))
    return nn.Sequential(*layers)


def build_optimizer(params, cfg):
    name = cfg["name"].lower()
    if name == "sgd":
        return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg.get("momentum", 0.0),
                               weight_decay=cfg.get("weight_decay", 0.0))
    if name == "adam":
        return torch.optim.Adam(params, lr=cfg["lr"], weight_decay=cfg.get("weight_decay", 0.0))
    raise ValueError(f"unknown optimizer {name}")


def main():
    cfg = load_yaml(CONFIG)
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])

    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=cfg["data"]["test_size"],
                                              random_state=cfg["seed"], stratify=y)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.float32)
    y_te = torch.tensor(y_te, dtype=torch.float32)

    model = build_model(X_tr.shape[1], cfg["model"])
    opt = build_optimizer(model.parameters(), cfg["optimizer"])
    loss_fn = nn.BCEWithLogitsLoss()
    bs = cfg["data"]["batch_size"]

    step, window = 0, []
    for epoch in range(cfg["trainer"]["epochs"]):
        model.train()
        perm = rng.permutation(len(X_tr))
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(X_tr[idx]).squeeze(-1), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            window.append(loss.item())
            if step % cfg["trainer"]["log_every"] == 0:
                print(f"step {step:4d} loss {np.mean(window):.4f} max {np.max(window):.3f}")
                window = []

    model.eval()
    with torch.no_grad():
        test_loss = loss_fn(model(X_te).squeeze(-1), y_te).item()
        acc = ((model(X_te).squeeze(-1) > 0).float() == y_te).float().mean().item()
    print(f"test loss {test_loss:.4f} test acc {acc:.4f}")


if __name__ == "__main__":
    main()
