"""Multi-input tabular classifier (numeric features + two categorical columns).

Seeded bug (symmetric_init): the custom ``init_weights`` function uses a
"mean-preserving" constant initialisation, ``nn.init.constant_(w, 1/fan_in)``,
for every Linear layer of the MLP trunk.  All hidden units of each layer start
out identical and receive identical gradients, so the trunk behaves like a
width-1 network for the whole run (the random embedding tables do not help,
because the first Linear mixes all inputs with the same weights for every unit).

Measured (seed 0, 270 AdamW steps): buggy final train loss 1.31,
val accuracy 0.37; with the default random init (fixed copy, init_weights not
applied) train loss 0.20, val accuracy 0.89.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = {
    "data": {"n_samples": 3000, "n_numeric": 16, "n_classes": 5, "cat_cards": [7, 4]},
    "model": {"emb_dim": 4, "hidden": [64, 64]},
    "optim": {"lr": 3e-3, "weight_decay": 1e-4, "batch_size": 128, "epochs": 15},
}


def make_data(cfg):
    X, y = make_classification(
        n_samples=cfg["n_samples"], n_features=cfg["n_numeric"], n_informative=10,
        n_redundant=2, n_classes=cfg["n_classes"], n_clusters_per_class=2,
        class_sep=1.2, random_state=0,
    )
    rng = np.random.RandomState(1)
    # categorical columns that are weakly tied to the class
    cats = []
    for card in cfg["cat_cards"]:
        noise = rng.randint(0, card, size=len(y))
        c = np.where(rng.rand(len(y)) < 0.5, y % card, noise)
        cats.append(c)
    C = np.stack(cats, 1)
    return X.astype(np.float32), C.astype(np.int64), y.astype(np.int64)


class TabularNet(nn.Module):
    def __init__(self, n_num, cat_cards, n_classes, emb_dim, hidden):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in cat_cards])
        d_in = n_num + emb_dim * len(cat_cards)
        layers = []
        for h in hidden:
            layers += [nn.Linear(d_in, h), nn.ReLU()]
            d_in = h
        self.trunk = nn.Sequential(*layers)
        self.head = nn.Linear(d_in, n_classes)

    def forward(self, x_num, x_cat):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        h = torch.cat([x_num] + e, dim=1)
        return self.head(self.trunk(h))


def init_weights(m):
    # keep the expected pre-activation equal to the mean input
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1.0 / m.in_features)
        nn.init.zeros_(m.bias)


def batches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, bs):
        yield perm[i:i + bs]


def main():
    X, C, y = make_data(CFG["data"])
    Xtr, Xva, Ctr, Cva, ytr, yva = train_test_split(X, C, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
    Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
    Ctr, Cva = torch.from_numpy(Ctr), torch.from_numpy(Cva)
    ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)

    mc = CFG["model"]
    model = TabularNet(Xtr.shape[1], CFG["data"]["cat_cards"], CFG["data"]["n_classes"],
                       mc["emb_dim"], mc["hidden"])
    model.apply(init_weights)

    oc = CFG["optim"]
    opt = torch.optim.AdamW(model.parameters(), lr=oc["lr"], weight_decay=oc["weight_decay"])
    gen = torch.Generator().manual_seed(0)
    step = 0
    for epoch in range(oc["epochs"]):
        model.train()
        tot, cnt = 0.0, 0
        for idx in batches(len(ytr), oc["batch_size"], gen):
            logits = model(Xtr[idx], Ctr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(idx)
            cnt += len(idx)
        if epoch % 3 == 2 or epoch == oc["epochs"] - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(Xva, Cva).argmax(1) == yva).float().mean().item()
            print(f"epoch {epoch:2d} step {step:3d} train_loss {tot / cnt:.4f} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
