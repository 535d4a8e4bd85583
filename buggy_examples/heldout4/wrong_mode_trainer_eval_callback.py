"""Seeded bug: a hand-rolled Trainer with a config dict and callbacks. The
ValidationCallback runs every 20 steps and calls model.eval() for a
@torch.no_grad() pass over the validation split, but nothing switches the
model back: from step 20 on, training runs in eval mode, so the 0.5 dropout
is off and the BatchNorm layers use (and stop updating) the running
statistics of the first 20 steps. On 300 noisy training samples the model
then memorises and the validation loss gets worse. Measured: validation loss 0.277 at step 20,
0.797 at the end vs 0.489 at the end with model.train() restored."""
# traindebug-expect: wrong_mode
import torch
from sklearn.datasets import make_classification
from torch import nn

CONFIG = {"lr": 2e-3, "batch_size": 32, "epochs": 30, "val_every": 20, "seed": 0}


class ValidationCallback:
    def __init__(self, X, y, every):
        self.X, self.y, self.every = X, y, every
        self.history = []

    @torch.no_grad()
    def on_step_end(self, trainer):
        if trainer.step % self.every:
            return
        trainer.model.eval()  # BUG: never switched back to train()
        loss = trainer.loss_fn(trainer.model(self.X), self.y).item()
        self.history.append(loss)


class Trainer:
    def __init__(self, model, loss_fn, cfg, callbacks=()):
        self.model, self.loss_fn, self.cfg = model, loss_fn, cfg
        self.callbacks = list(callbacks)
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
        self.step = 0

    def fit(self, X, y):
        self.model.train()
        g = torch.Generator().manual_seed(self.cfg["seed"])
        for epoch in range(self.cfg["epochs"]):
            perm = torch.randperm(len(X), generator=g)
            for i in range(0, len(X), self.cfg["batch_size"]):
                idx = perm[i:i + self.cfg["batch_size"]]
                loss = self.loss_fn(self.model(X[idx]), y[idx])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.step += 1
                for cb in self.callbacks:
                    cb.on_step_end(self)
            self.last_loss = loss.item()


torch.manual_seed(CONFIG["seed"])
X, y = make_classification(n_samples=1300, n_features=40, n_informative=8, flip_y=0.1, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:300], y[:300], X[300:], y[300:]
model = nn.Sequential(nn.Linear(40, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
                      nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 2))
val = ValidationCallback(Xva, yva, CONFIG["val_every"])
trainer = Trainer(model, nn.CrossEntropyLoss(), CONFIG, [val])
trainer.fit(Xtr, ytr)
print("val history", [round(v, 3) for v in val.history])
print(f"final train {trainer.last_loss:.4f} val first {val.history[0]:.4f} best {min(val.history):.4f} "
      f"final {val.history[-1]:.4f}")
