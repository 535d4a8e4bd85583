"""LightningModule-style classifier (training_step / validation_step / configure_optimizers)
driven by a small hand-written trainer, on raw breast-cancer features (BatchNorm first).

Seeded bug (wrong_mode): MiniTrainer.fit calls module.train() once before the epoch
loop, while _validate() switches the module to eval() after every epoch and never
switches back. From epoch 2 on, all training steps run in eval mode: Dropout is off
and BatchNorm normalises with the running statistics frozen after one epoch
(only partly converged for these raw, large-valued features).
Measured (240 steps): final val loss 0.065, val acc 0.970. Fixed copy (module.train()
at the start of every epoch): val loss 0.033, val acc 1.000.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class LitTabular(nn.Module):
    """Minimal LightningModule look-alike: the model owns its steps and optimizer."""

    def __init__(self, n_features, hidden=64, lr=2e-3):
        super().__init__()
        self.lr = lr
        # BatchNorm on the raw inputs takes care of feature scaling
        self.net = nn.Sequential(
            nn.BatchNorm1d(n_features),
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(hidden, 2),
        )
        self.logged = {}

    def forward(self, x):
        return self.net(x)

    def log(self, name, value):
        self.logged.setdefault(name, []).append(float(value))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss.item())
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return {"loss": F.cross_entropy(logits, y, reduction="sum").item(),
                "correct": (logits.argmax(1) == y).sum().item(), "n": len(y)}

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
        return opt, sched


class MiniTrainer:
    def __init__(self, max_epochs):
        self.max_epochs = max_epochs
        self.global_step = 0

    @torch.no_grad()
    def _validate(self, module, loader):
        module.eval()
        outs = [module.validation_step(b, i) for i, b in enumerate(loader)]
        n = sum(o["n"] for o in outs)
        return sum(o["loss"] for o in outs) / n, sum(o["correct"] for o in outs) / n

    def fit(self, module, train_loader, val_loader):
        opt, sched = module.configure_optimizers()
        module.train()
        for epoch in range(self.max_epochs):
            for i, batch in enumerate(train_loader):
                loss = module.training_step(batch, i)
                opt.zero_grad()
                loss.backward()
                opt.step()
                self.global_step += 1
            sched.step()
            vl, va = self._validate(module, val_loader)
            if epoch % 5 == 4 or epoch == 0:
                tl = np.mean(module.logged["train_loss"][-len(train_loader):])
                print(f"epoch {epoch:2d} step {self.global_step} train_loss {tl:.4f} "
                      f"val_loss {vl:.4f} val_acc {va:.3f}")
        return vl, va


data = load_breast_cancer()
X = data.data.astype(np.float32)
y = data.target.astype(np.int64)
perm = np.random.permutation(len(y))
tr, va = perm[:400], perm[400:]
train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
                        batch_size=128)

module = LitTabular(X.shape[1])
val_loss, val_acc = MiniTrainer(max_epochs=20).fit(module, train_loader, val_loader)
print(f"final val_loss {val_loss:.4f} val_acc {val_acc:.3f}")
