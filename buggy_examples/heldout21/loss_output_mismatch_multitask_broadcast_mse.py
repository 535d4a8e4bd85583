"""Seeded bug: in the shared-trunk multi-task model the regression head returns shape
(B, 1) while the target column is (B,); nn.MSELoss silently broadcasts the pair to (B, B),
so the regression head is trained towards the batch mean of the targets instead of each
sample's own target (PyTorch only emits a UserWarning).
Measured (this script vs. a copy that squeezes the head output, 228 Adam
steps): regression train loss stuck at 0.954 vs 0.029, final val MSE 1.175 vs 0.035
(standardised target; classification val acc 0.855 vs 0.822, unaffected).
"""
# traindebug-expect: loss_output_mismatch
from dataclasses import dataclass, field
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


@dataclass
class Config:
    n_samples: int = 3000
    n_features: int = 16
    n_classes: int = 3
    hidden: tuple = (64, 64)
    lr: float = 1e-3
    epochs: int = 12
    batch_size: int = 128
    reg_weight: float = 1.0
    seed: int = 7
    log_every: int = 3


class SharedTrunkNet(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        layers, d = [], cfg.n_features
        for h in cfg.hidden:
            layers += [nn.Linear(d, h), nn.GELU()]
            d = h
        self.trunk = nn.Sequential(*layers)
        self.cls_head = nn.Linear(d, cfg.n_classes)
        self.reg_head = nn.Sequential(nn.Linear(d, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, x):
        z = self.trunk(x)
        return self.cls_head(z), self.reg_head(z)


def build_data(cfg):
    X, y = make_classification(n_samples=cfg.n_samples, n_features=cfg.n_features,
                               n_informative=8, n_redundant=2, n_classes=cfg.n_classes,
                               class_sep=1.0, random_state=cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    # auxiliary continuous target: a nonlinear function of the informative features
    t = X[:, 0] * X[:, 1] + np.tanh(X[:, 2]) + 0.5 * X[:, 3] + 0.1 * rng.normal(size=len(X))
    X = StandardScaler().fit_transform(X).astype(np.float32)
    t = ((t - t.mean()) / t.std()).astype(np.float32)
    n_tr = int(0.8 * len(X))
    to_t = lambda a: torch.from_numpy(a)
    return (to_t(X[:n_tr]), to_t(y[:n_tr]).long(), to_t(t[:n_tr])), \
           (to_t(X[n_tr:]), to_t(y[n_tr:]).long(), to_t(t[n_tr:]))


class MultiTaskTrainer:
    def __init__(self, cfg):
        self.cfg = cfg
        torch.manual_seed(cfg.seed)
        self.model = SharedTrunkNet(cfg)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr)
        self.ce = nn.CrossEntropyLoss()
        self.mse = nn.MSELoss()

    def step(self, x, y, t):
        logits, t_hat = self.model(x)
        l_cls = self.ce(logits, y)
        l_reg = self.mse(t_hat, t)
        loss = l_cls + self.cfg.reg_weight * l_reg
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return l_cls.item(), l_reg.item()

    @torch.no_grad()
    def validate(self, data):
        x, y, t = data
        self.model.eval()
        logits, t_hat = self.model(x)
        self.model.train()
        acc = (logits.argmax(1) == y).float().mean().item()
        mse = ((t_hat.view(-1) - t) ** 2).mean().item()
        return acc, mse

    def fit(self, train, val):
        x, y, t = train
        n = len(x)
        for ep in range(self.cfg.epochs):
            perm = torch.randperm(n)
            c_sum = r_sum = 0.0
            nb = 0
            for i in range(0, n, self.cfg.batch_size):
                idx = perm[i:i + self.cfg.batch_size]
                c, r = self.step(x[idx], y[idx], t[idx])
                c_sum += c; r_sum += r; nb += 1
            if (ep + 1) % self.cfg.log_every == 0:
                acc, mse = self.validate(val)
                print(f"ep {ep + 1:2d} cls_loss {c_sum / nb:.3f} reg_loss {r_sum / nb:.3f} "
                      f"| val_acc {acc:.3f} val_mse {mse:.3f}")
        return self.validate(val)


if __name__ == "__main__":
    cfg = Config()
    train, val = build_data(cfg)
    acc, mse = MultiTaskTrainer(cfg).fit(train, val)
    print(f"final val_acc={acc:.3f} val_mse={mse:.3f}")
