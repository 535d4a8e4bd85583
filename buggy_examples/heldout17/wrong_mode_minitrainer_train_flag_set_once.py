"""Seeded bug (wrong_mode): the home-made MiniTrainer calls module.train() once,
before the epoch loop, while _run_validation() switches the module to eval() at
the end of every epoch and nothing switches it back. From epoch 1 on, every
training forward/backward runs with Dropout disabled and BatchNorm using frozen
running statistics (from epoch 0), so the regularised MLP simply memorises the
noisy tabular data.

Measured (20 epochs, 140 NAdam steps): buggy final train_loss 0.17, val_loss 1.264,
val_acc 0.563; fixed (module.train() at the start of each epoch) train_loss 0.76,
val_loss 1.049, val_acc 0.623.
"""
# traindebug-expect: wrong_mode
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)


class LitTabularNet(nn.Module):
    """Small module with a Lightning-style interface."""

    def __init__(self, n_in, n_classes, hidden=128, p_drop=0.5, lr=2e-3):
        super().__init__()
        self.hparams = dict(lr=lr, hidden=hidden, p_drop=p_drop)
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p_drop),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p_drop),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        return {"loss": loss}

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return {"val_loss": F.cross_entropy(logits, y, reduction="sum"),
                "correct": (logits.argmax(1) == y).sum(), "n": y.numel()}

    def configure_optimizers(self):
        opt = torch.optim.NAdam(self.parameters(), lr=self.hparams["lr"], weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        return opt, sched


class MiniTrainer:
    def __init__(self, max_epochs=20, log_every=5):
        self.max_epochs = max_epochs
        self.log_every = log_every
        self.history = []

    @torch.no_grad()
    def _run_validation(self, module, loader):
        module.eval()
        tot, correct, n = 0.0, 0, 0
        for i, batch in enumerate(loader):
            out = module.validation_step(batch, i)
            tot += out["val_loss"].item()
            correct += out["correct"].item()
            n += out["n"]
        return tot / n, correct / n

    def fit(self, module, train_loader, val_loader):
        opt, sched = module.configure_optimizers()
        module.train()
        for epoch in range(self.max_epochs):
            running, seen = 0.0, 0
            for i, batch in enumerate(train_loader):
                out = module.training_step(batch, i)
                opt.zero_grad()
                out["loss"].backward()
                opt.step()
                running += out["loss"].item() * batch[0].shape[0]
                seen += batch[0].shape[0]
            sched.step()
            val_loss, val_acc = self._run_validation(module, val_loader)
            self.history.append((running / seen, val_loss, val_acc))
            if epoch % self.log_every == 0 or epoch == self.max_epochs - 1:
                print(f"epoch {epoch:2d}  train_loss {running / seen:.4f}  "
                      f"val_loss {val_loss:.4f}  val_acc {val_acc:.3f}")
        return self.history


def make_loaders(batch_size=64):
    X, y = make_classification(n_samples=700, n_features=80, n_informative=12,
                               n_redundant=10, n_classes=4, n_clusters_per_class=2,
                               flip_y=0.15, class_sep=1.3, random_state=7)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.33, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)
    tr = TensorDataset(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr))
    va = TensorDataset(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva))
    return (DataLoader(tr, batch_size=batch_size, shuffle=True, drop_last=True),
            DataLoader(va, batch_size=256))


if __name__ == "__main__":
    train_loader, val_loader = make_loaders()
    model = LitTabularNet(n_in=80, n_classes=4)
    hist = MiniTrainer(max_epochs=20).fit(model, train_loader, val_loader)
    best = min(h[1] for h in hist)
    print(f"final val_loss {hist[-1][1]:.4f} (best {best:.4f})  final val_acc {hist[-1][2]:.3f}")
