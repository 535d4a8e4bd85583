"""Seeded bug (symmetric_init): the nested-dict model spec initialises every Linear
weight with nn.init.constant_(val=0.02) (biases zero). All hidden units of a layer
compute the same value and receive the same gradient, so symmetry is never broken
(with LayerNorm after the first layer the identical activations even normalise to 0).
Measured (12 epochs, 348 RMSprop steps): train loss stays at 1.792 = ln(6), val acc
0.167 (chance). With the default-style kaiming_uniform_(a=sqrt(5)) weight init the
same script reaches train loss 0.382, val loss 0.610, val acc 0.778.
"""
# traindebug-expect: symmetric_init
import copy
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(3)

MODEL_SPEC = {
    "name": "tabular_resmlp",
    "input_dim": 24,
    "layers": [
        {"type": "linear", "out": 64, "act": "gelu", "norm": "layernorm"},
        {"type": "linear", "out": 64, "act": "gelu", "norm": "layernorm"},
        {"type": "dropout", "p": 0.1},
        {"type": "linear", "out": 32, "act": "gelu"},
        {"type": "linear", "out": 6},
    ],
    "init": {
        "weight": {"fn": "constant_", "kwargs": {"val": 0.02}},
        "bias": {"fn": "zeros_", "kwargs": {}},
    },
}

TRAIN_SPEC = {
    "optimizer": {"name": "RMSprop", "lr": 1e-3, "alpha": 0.9},
    "batch_size": 64,
    "epochs": 12,
}

ACTS = {"gelu": nn.GELU, "relu": nn.ReLU, "tanh": nn.Tanh, None: None}


def build_model(spec):
    spec = copy.deepcopy(spec)
    modules, dim = [], spec["input_dim"]
    for layer in spec["layers"]:
        kind = layer.pop("type")
        if kind == "linear":
            lin = nn.Linear(dim, layer["out"])
            _apply_init(lin, spec.get("init", {}))
            modules.append(lin)
            dim = layer["out"]
            if layer.get("norm") == "layernorm":
                modules.append(nn.LayerNorm(dim))
            act = ACTS[layer.get("act")]
            if act is not None:
                modules.append(act())
        elif kind == "dropout":
            modules.append(nn.Dropout(layer["p"]))
        else:
            raise ValueError(f"unknown layer type {kind}")
    return nn.Sequential(*modules)


def _apply_init(module, init_spec):
    for pname in ("weight", "bias"):
        if pname in init_spec:
            entry = init_spec[pname]
            getattr(nn.init, entry["fn"])(getattr(module, pname), **entry["kwargs"])


def build_optimizer(params, cfg):
    cfg = dict(cfg)
    cls = getattr(torch.optim, cfg.pop("name"))
    return cls(params, **cfg)


def main():
    X, y = make_classification(n_samples=2400, n_features=24, n_informative=14, n_redundant=4,
                               n_classes=6, n_clusters_per_class=2, class_sep=1.2, random_state=11)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr, yva = torch.tensor(ytr), torch.tensor(yva)

    model = build_model(MODEL_SPEC)
    opt = build_optimizer(model.parameters(), TRAIN_SPEC["optimizer"])
    loss_fn = nn.CrossEntropyLoss()
    bs = TRAIN_SPEC["batch_size"]
    g = torch.Generator().manual_seed(0)
    for epoch in range(TRAIN_SPEC["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        tot, n = 0.0, 0
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            n += len(idx)
        model.eval()
        with torch.no_grad():
            out = model(Xva)
            vloss = loss_fn(out, yva).item()
            vacc = (out.argmax(1) == yva).float().mean().item()
        if epoch % 2 == 1 or epoch == 0:
            print(f"[{MODEL_SPEC['name']}] epoch {epoch + 1:2d} train {tot / n:.4f} val {vloss:.4f} acc {vacc:.3f}")


if __name__ == "__main__":
    main()
