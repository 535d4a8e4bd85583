"""Config-driven deep tabular MLP (nn.ModuleList, 10 hidden layers) on make_classification.

Seeded bug: the Config default activation is "sigmoid" for a 10-layer plain stack (no
residuals, no normalisation). Sigmoid's derivative is at most 0.25, so the gradient shrinks
layer by layer on the way down.
Measured effect: at init the first layer's weight-gradient norm is 1.3e-9 vs 4.3e-2 for the
last hidden layer (ratio ~3e-8). Over 288 NAdam steps train loss stays at 0.693 (ln 2) and
test acc wanders between 0.465 and 0.535 (chance). With activation="relu": test acc 0.953,
train loss 0.069.
"""
# traindebug-expect: vanishing_gradients
from dataclasses import dataclass

import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    n_features: int = 20
    hidden: int = 64
    depth: int = 10
    activation: str = "sigmoid"
    lr: float = 1e-3
    epochs: int = 12
    batch_size: int = 128
    seed: int = 42


ACTS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class DeepTabularNet(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        dims = [cfg.n_features] + [cfg.hidden] * cfg.depth
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.act = ACTS[cfg.activation]()
        self.classifier = nn.Linear(cfg.hidden, 2)

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return self.classifier(x)


def main(cfg: Config):
    torch.manual_seed(cfg.seed)
    X, y = make_classification(n_samples=4000, n_features=cfg.n_features, n_informative=12,
                               n_redundant=4, class_sep=1.0, flip_y=0.02, random_state=cfg.seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=cfg.seed)
    sc = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = DeepTabularNet(cfg)
    opt = torch.optim.NAdam(model.parameters(), lr=cfg.lr)
    crit = nn.CrossEntropyLoss()
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(len(X_tr))
        tot = 0.0
        for i in range(0, len(X_tr), cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            opt.zero_grad()
            loss = crit(model(X_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} train_loss {tot / len(X_tr):.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    main(Config())
