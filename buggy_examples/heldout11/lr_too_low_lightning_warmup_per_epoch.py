"""Lightning-style module driven by a small hand-written fit loop.

Seeded bug: `configure_optimizers` builds a linear-warmup + cosine schedule
measured in optimizer steps (warmup = 3 epochs = 114 steps, declared
interval "step"), but the hand-written loop only calls `scheduler.step()`
once per epoch. After 8 epochs (304 steps) the schedule has advanced 8 ticks,
so the warm-up never ends and the lr stays between 9e-6 and 8e-5 instead of
peaking at 1e-3.

Measured: train loss 1.373 -> 1.110 (ln 4 = 1.386), val acc 0.73 after 304 steps.
Fixed (scheduler stepped per batch as declared): train loss 1.33 -> 0.20,
val acc 0.90.
"""
# traindebug-expect: lr_too_low
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class LitClassifier(nn.Module):
    def __init__(self, in_dim, num_classes, hidden=128, lr=1e-3, warmup_steps=500, max_steps=5000):
        super().__init__()
        self.hparams = dict(lr=lr, warmup_steps=warmup_steps, max_steps=max_steps)
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.LayerNorm(hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        return {"loss": loss}

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return {"val_loss": F.cross_entropy(logits, y).item(),
                "val_acc": (logits.argmax(-1) == y).float().mean().item()}

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams["lr"], weight_decay=1e-2)
        warm, total = self.hparams["warmup_steps"], self.hparams["max_steps"]

        def lr_lambda(step):
            if step < warm:
                return (step + 1) / warm
            progress = (step - warm) / max(1, total - warm)
            return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def batches(X, y, bs, shuffle, gen=None):
    idx = torch.randperm(len(X), generator=gen) if shuffle else torch.arange(len(X))
    for i in range(0, len(X), bs):
        j = idx[i:i + bs]
        yield X[j], y[j]


def fit(module, train_data, val_data, max_epochs, batch_size, seed=0):
    cfg = module.configure_optimizers()
    optimizer = cfg["optimizer"]
    scheduler = cfg["lr_scheduler"]["scheduler"]
    gen = torch.Generator().manual_seed(seed)
    global_step = 0
    for epoch in range(max_epochs):
        module.train()
        losses = []
        for batch_idx, batch in enumerate(batches(*train_data, batch_size, True, gen)):
            out = module.training_step(batch, batch_idx)
            optimizer.zero_grad()
            out["loss"].backward()
            optimizer.step()
            losses.append(out["loss"].item())
            global_step += 1
        scheduler.step()

        module.eval()
        with torch.no_grad():
            outs = [module.validation_step(b, i) for i, b in enumerate(batches(*val_data, 512, False))]
        print(f"epoch {epoch} step {global_step} train_loss {np.mean(losses):.4f} "
              f"val_loss {np.mean([o['val_loss'] for o in outs]):.4f} "
              f"val_acc {np.mean([o['val_acc'] for o in outs]):.4f} lr {scheduler.get_last_lr()[0]:.2e}")


def main():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_redundant=4,
                               n_classes=4, n_clusters_per_class=2, class_sep=1.5, random_state=0)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    to_t = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    train_data = (to_t(X_tr), torch.tensor(y_tr))
    val_data = (to_t(X_va), torch.tensor(y_va))

    batch_size, epochs = 64, 8
    steps_per_epoch = math.ceil(len(X_tr) / batch_size)
    module = LitClassifier(X.shape[1], 4, lr=1e-3, warmup_steps=3 * steps_per_epoch,
                           max_steps=steps_per_epoch * epochs)
    fit(module, train_data, val_data, max_epochs=epochs, batch_size=batch_size)


if __name__ == "__main__":
    main()
