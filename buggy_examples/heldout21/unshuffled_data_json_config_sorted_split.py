"""Seeded bug: the stratified split sorts the samples by class, and the DataLoader reads
its shuffle flag from cfg["data"] although the JSON config puts "shuffle" under "train",
so .get() falls back to False: every epoch walks through the classes in order and each
mini-batch contains (almost) a single class.
Measured (this script vs. a copy that reads cfg["train"]["shuffle"], 288 SGD steps):
train loss 2.24 -> 2.67 vs 1.33 -> 0.28; final val accuracy 0.165 (all 600 validation
samples predicted as one class) vs 0.878; final val loss 3.27 vs 0.35.
"""
# traindebug-expect: unshuffled_data
import json
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification

torch.set_num_threads(1)

CONFIG_JSON = """
{
  "seed": 5,
  "data": {"n_samples": 3000, "n_features": 20, "n_informative": 10, "n_classes": 6,
           "val_every": 5, "batch_size": 50},
  "model": {"hidden": [96, 48], "dropout": 0.1},
  "train": {"epochs": 6, "lr": 0.05, "momentum": 0.9, "shuffle": true, "weight_decay": 1e-4}
}
"""


def build_model(n_in, n_out, hidden, dropout):
    layers = []
    for h in hidden:
        layers += [nn.Linear(n_in, h), nn.ReLU(), nn.Dropout(dropout)]
        n_in = h
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


def stratified_split(X, y, every):
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    val_mask = np.zeros(len(y), dtype=bool)
    val_mask[::every] = True
    return (X[~val_mask], y[~val_mask]), (X[val_mask], y[val_mask])


def run(cfg):
    torch.manual_seed(cfg["seed"])
    d, m, t = cfg["data"], cfg["model"], cfg["train"]
    X, y = make_classification(n_samples=d["n_samples"], n_features=d["n_features"],
                               n_informative=d["n_informative"], n_classes=d["n_classes"],
                               n_clusters_per_class=1, class_sep=1.2, random_state=cfg["seed"])
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    (xtr, ytr), (xva, yva) = stratified_split(X, y, d["val_every"])
    train_dl = DataLoader(TensorDataset(torch.from_numpy(xtr), torch.from_numpy(ytr)),
                          batch_size=d["batch_size"], shuffle=d.get("shuffle", False))
    xva, yva = torch.from_numpy(xva), torch.from_numpy(yva)

    model = build_model(d["n_features"], d["n_classes"], m["hidden"], m["dropout"])
    opt = torch.optim.SGD(model.parameters(), lr=t["lr"], momentum=t["momentum"],
                          weight_decay=t["weight_decay"])
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(t["epochs"]):
        model.train()
        losses = []
        for xb, yb in train_dl:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            out = model(xva)
            val_loss = loss_fn(out, yva).item()
            pred = out.argmax(1)
            acc = (pred == yva).float().mean().item()
        history.append({"epoch": epoch, "train_loss": float(np.mean(losses)),
                        "val_loss": val_loss, "val_acc": acc})
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in history[-1].items()}))
    counts = torch.bincount(pred, minlength=d["n_classes"]).tolist()
    print("val prediction counts per class:", counts)
    return history


if __name__ == "__main__":
    run(json.loads(CONFIG_JSON))
