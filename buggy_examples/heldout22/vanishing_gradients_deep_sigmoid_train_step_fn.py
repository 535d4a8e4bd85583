"""Deep plain MLP (10 hidden layers, width 48) for a 3-class synthetic
tabular problem, trained by a free function train_step(model, batch,
optimizer) that returns a dict of metrics (loss, acc, first/last layer grad
norms); SGD with momentum, dict config.

Seeded bug: the hidden activation in the config is nn.Sigmoid. With ten
sigmoid layers (derivative <= 0.25 each) the backpropagated signal shrinks by
orders of magnitude before it reaches the first layers, even with the
kaiming init used in build_model; the early layers barely move and the
network output stays near-constant.

Measured (12 epochs, 228 SGD steps): buggy |grad first layer| / |grad last
layer| ~5e-6 throughout, train loss 1.110 -> 1.120 (chance ln 3 = 1.099),
val acc 0.333-0.335; same script with nn.ReLU: ratio 0.5-1.9, train loss
0.97 -> 0.25, val acc 0.887 (peak 0.900).
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(11)

CONFIG = {
    "depth": 10,
    "width": 48,
    "act": nn.Sigmoid,
    "lr": 0.05,
    "momentum": 0.9,
    "batch_size": 64,
    "epochs": 12,
}


def build_model(d_in, n_out, depth, width, act):
    layers, d = [], d_in
    for _ in range(depth):
        lin = nn.Linear(d, width)
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        layers += [lin, act()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def train_step(model, batch, optimizer):
    x, y = batch
    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    first = model[0].weight.grad.norm().item()
    last = model[-1].weight.grad.norm().item()
    optimizer.step()
    return {
        "loss": loss.item(),
        "acc": (logits.argmax(1) == y).float().mean().item(),
        "gnorm_first": first,
        "gnorm_last": last,
    }


@torch.no_grad()
def evaluate(model, x, y):
    model.eval()
    logits = model(x)
    return {"loss": F.cross_entropy(logits, y).item(),
            "acc": (logits.argmax(1) == y).float().mean().item()}


def batches(x, y, bs, gen):
    perm = torch.randperm(len(x), generator=gen)
    for i in range(0, len(x), bs):
        j = perm[i:i + bs]
        yield x[j], y[j]


def main(cfg):
    X, y = make_classification(n_samples=1600, n_features=12, n_informative=8,
                               n_classes=3, n_clusters_per_class=2,
                               class_sep=1.2, random_state=5)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr, yva = torch.tensor(ytr), torch.tensor(yva)

    model = build_model(Xtr.shape[1], 3, cfg["depth"], cfg["width"], cfg["act"])
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"])
    gen = torch.Generator().manual_seed(0)

    history = []
    for epoch in range(cfg["epochs"]):
        logs = [train_step(model, b, opt) for b in batches(Xtr, ytr, cfg["batch_size"], gen)]
        agg = {k: float(np.mean([l[k] for l in logs])) for k in logs[0]}
        val = evaluate(model, Xva, yva)
        history.append((agg, val))
        if epoch % 2 == 1 or epoch == 0:
            print(f"epoch {epoch:2d} loss {agg['loss']:.4f} acc {agg['acc']:.3f} "
                  f"val_loss {val['loss']:.4f} val_acc {val['acc']:.3f}")
    return history


if __name__ == "__main__":
    main(CONFIG)
