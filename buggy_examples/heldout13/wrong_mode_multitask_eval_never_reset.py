"""Multi-task net (3-class head + regression head, weighted loss sum) with BatchNorm/Dropout, dataclass config.

Seeded bug (wrong_mode): model.train() is called once before the epoch loop, but
validate() switches the model to eval() at the end of every epoch and nothing
switches it back. From epoch 2 on, all training forward/backward passes run in
eval mode: dropout is off and BatchNorm normalises with running statistics that
were only partly warmed up during epoch 1 (inputs carry a +100 offset) and are
never updated again. Measured (12 epochs, 120 steps): buggy val acc 0.627, val
MSE 1.69; with model.train() at the start of each epoch val acc 0.677, val MSE
0.42.
"""
# traindebug-expect: wrong_mode
from dataclasses import dataclass
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification


@dataclass
class Config:
    n_samples: int = 1200
    n_features: int = 40
    hidden: int = 128
    dropout: float = 0.3
    lr: float = 1e-3
    epochs: int = 12
    batch_size: int = 96
    w_cls: float = 1.0
    w_reg: float = 0.5
    seed: int = 0


cfg = Config()
torch.manual_seed(cfg.seed)
torch.set_num_threads(2)

X, y = make_classification(n_samples=cfg.n_samples, n_features=cfg.n_features, n_informative=12,
                           n_classes=3, n_clusters_per_class=2, random_state=cfg.seed)
X = torch.tensor(X, dtype=torch.float32) * 4.0 + 100.0  # raw sensor units; BatchNorm handles scale
y = torch.tensor(y)
score = (X[:, :6] - 100.0).sum(1) / 4.0 + 0.3 * torch.randn(len(X))  # auxiliary regression target
n_tr = 900


class TwoHeadNet(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.BatchNorm1d(c.n_features),
            nn.Linear(c.n_features, c.hidden), nn.BatchNorm1d(c.hidden), nn.ReLU(), nn.Dropout(c.dropout),
            nn.Linear(c.hidden, c.hidden), nn.BatchNorm1d(c.hidden), nn.ReLU(), nn.Dropout(c.dropout),
        )
        self.cls_head = nn.Linear(c.hidden, 3)
        self.reg_head = nn.Linear(c.hidden, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.cls_head(h), self.reg_head(h).squeeze(1)


def validate(model):
    model.eval()
    with torch.no_grad():
        logits, reg = model(X[n_tr:])
        acc = (logits.argmax(1) == y[n_tr:]).float().mean().item()
        mse = F.mse_loss(reg, score[n_tr:]).item()
    return acc, mse


model = TwoHeadNet(cfg)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
model.train()
for epoch in range(cfg.epochs):
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, cfg.batch_size):
        idx = perm[i:i + cfg.batch_size]
        logits, reg = model(X[idx])
        loss = cfg.w_cls * F.cross_entropy(logits, y[idx]) + cfg.w_reg * F.mse_loss(reg, score[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    acc, mse = validate(model)
    if epoch % 4 == 3:
        print(f"epoch {epoch + 1:2d} train_loss {loss.item():.4f} val_acc {acc:.3f} val_mse {mse:.4f}")
