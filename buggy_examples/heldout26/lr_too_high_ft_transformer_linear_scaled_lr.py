"""FT-Transformer (one token per numerical feature, CLS token, pre-LN attention
across features) for 3-class tabular classification on make_classification data.

Seeded bug (lr_too_high): the "linear scaling rule" is applied without dividing
by the reference batch size the base learning rate was quoted for
(`lr = base_lr * batch_size` instead of `base_lr * batch_size / 64`), so AdamW
runs at lr = 0.128 instead of 2e-3.

Measured (10 epochs, 130 steps): with the bug the loss jumps and then sits at
chance level (train loss 1.23 -> ~1.10 = ln 3, val_acc 0.33 for the first 6
epochs) and only partly recovers (final val_acc 0.49, val_loss 0.97).
With lr = 2e-3 the same script reaches train loss 0.44, val_loss 0.43,
val_acc 0.84.
"""
# traindebug-expect: lr_too_high
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


@dataclass
class Config:
    n_samples: int = 2000
    n_features: int = 10
    n_classes: int = 3
    d_token: int = 24
    n_heads: int = 2
    n_layers: int = 2
    ffn_mult: int = 2
    dropout: float = 0.1
    # base learning rate quoted for a reference batch of 64 samples
    base_lr: float = 1e-3
    weight_decay: float = 1e-5
    batch_size: int = 128
    epochs: int = 10
    seed: int = 0


class FeatureTokenizer(nn.Module):
    """Every numerical feature x_j becomes a token x_j * W_j + b_j."""

    def __init__(self, n_features, d):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_features, d))
        self.bias = nn.Parameter(torch.empty(n_features, d))
        bound = 1.0 / math.sqrt(d)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)
        self.cls = nn.Parameter(torch.empty(1, 1, d).uniform_(-bound, bound))

    def forward(self, x):
        tok = x.unsqueeze(-1) * self.weight + self.bias
        cls = self.cls.expand(x.shape[0], -1, -1)
        return torch.cat([cls, tok], dim=1)


class FTTransformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tokenizer = FeatureTokenizer(cfg.n_features, cfg.d_token)
        layer = nn.TransformerEncoderLayer(
            d_model=cfg.d_token, nhead=cfg.n_heads,
            dim_feedforward=cfg.d_token * cfg.ffn_mult, dropout=cfg.dropout,
            activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.n_layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(cfg.d_token), nn.ReLU(), nn.Linear(cfg.d_token, cfg.n_classes))

    def forward(self, x):
        h = self.encoder(self.tokenizer(x))
        return self.head(h[:, 0])


def make_data(cfg):
    X, y = make_classification(n_samples=cfg.n_samples, n_features=cfg.n_features,
                               n_informative=7, n_redundant=2, n_classes=cfg.n_classes,
                               n_clusters_per_class=2, class_sep=1.2, random_state=cfg.seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=cfg.seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return f(sc.transform(Xtr)), torch.tensor(ytr), f(sc.transform(Xva)), torch.tensor(yva)


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    Xtr, ytr, Xva, yva = make_data(cfg)
    model = FTTransformer(cfg)

    # linear scaling rule
    lr = cfg.base_lr * cfg.batch_size
    no_decay = [p for n, p in model.named_parameters() if "norm" in n or "bias" in n or "tokenizer" in n]
    decay = [p for n, p in model.named_parameters() if not ("norm" in n or "bias" in n or "tokenizer" in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr)

    n = Xtr.shape[0]
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        run = 0.0
        nb = 0
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run += loss.item()
            nb += 1
            step += 1
        vl, va = evaluate(model, Xva, yva)
        print(f"epoch {epoch:2d} step {step:4d} train_loss {run / nb:.4f} val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
