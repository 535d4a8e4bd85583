"""Config-driven MLP on a noisy 5-bit parity task (healthy control).

Legitimate pattern that may look suspicious: parity has no first-order
signal, so every single input is uncorrelated with the label and the loss
sits at ln 2 = 0.693 for the first ~60 optimizer steps while gradients are
small but healthy; then the network finds the higher-order features and the
loss collapses. Nothing is wrong with the learning rate, labels or init.

Measured (280 Adam steps, lr 0.01): windowed loss 0.715 / 0.695 at steps
20 / 40 with val acc ~0.50, then 0.61 (step 60) -> 0.12 (step 120) -> 0.0008
(step 280); val acc 1.000 from step 120.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)

CONFIG = """
run_name: parity5-tanh
seed: 0
data:
  n_bits: 5
  n_train: 2048
  n_val: 512
  jitter: 0.15
  batch_size: 64
model:
  hidden: 64
  depth: 2
  activation: tanh
optim:
  lr: 0.01
  betas: [0.9, 0.999]
train:
  steps: 280
  log_every: 20
"""


def parse_value(v):
    v = v.strip()
    if v.startswith("["):
        return [parse_value(t) for t in v.strip("[]").split(",")]
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def load_config(text):
    cfg, section = {}, None
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        key, _, value = line.strip().partition(":")
        if line.startswith("  "):
            cfg[section][key] = parse_value(value)
        elif value.strip():
            cfg[key] = parse_value(value)
        else:
            section = key
            cfg[section] = {}
    return cfg


def make_parity(n, n_bits, jitter, rng):
    bits = rng.integers(0, 2, size=(n, n_bits))
    x = (2.0 * bits - 1.0) + jitter * rng.standard_normal((n, n_bits))
    y = bits.sum(1) % 2
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


def build_mlp(in_dim, cfg):
    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[cfg["activation"]]
    layers, d = [], in_dim
    for _ in range(cfg["depth"]):
        layers += [nn.Linear(d, cfg["hidden"]), act()]
        d = cfg["hidden"]
    return nn.Sequential(*layers, nn.Linear(d, 2))


def main():
    cfg = load_config(CONFIG)
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    d = cfg["data"]
    X_tr, y_tr = make_parity(d["n_train"], d["n_bits"], d["jitter"], rng)
    X_va, y_va = make_parity(d["n_val"], d["n_bits"], d["jitter"], rng)

    model = build_mlp(d["n_bits"], cfg["model"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["optim"]["lr"], betas=tuple(cfg["optim"]["betas"]))
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(cfg["seed"])

    hist = []
    for step in range(1, cfg["train"]["steps"] + 1):
        model.train()
        idx = torch.randint(0, len(X_tr), (d["batch_size"],), generator=gen)
        loss = loss_fn(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist.append(loss.item())
        if step % cfg["train"]["log_every"] == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(X_va).argmax(-1) == y_va).float().mean().item()
            print(f"step {step:4d} loss {np.mean(hist[-cfg['train']['log_every']:]):.4f} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
