"""clean: a Trainer with callbacks (validation toggles eval/train, early
stopping watches the validation loss), AdamW + OneCycleLR, label smoothing
and dropout, on digits."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn


class Validation:
    def __init__(self, loader, loss_fn):
        self.loader, self.loss_fn = loader, loss_fn

    def on_epoch_end(self, trainer, logs):
        trainer.model.eval()
        with torch.no_grad():
            losses = [self.loss_fn(trainer.model(x), y) for x, y in self.loader]
        logs["val_loss"] = torch.stack(losses).mean().item()
        trainer.model.train()


class EarlyStopping:
    def __init__(self, patience=3):
        self.best, self.bad, self.patience = float("inf"), 0, patience

    def on_epoch_end(self, trainer, logs):
        if logs["val_loss"] < self.best - 1e-4:
            self.best, self.bad = logs["val_loss"], 0
        else:
            self.bad += 1
            trainer.stop = self.bad >= self.patience


class Trainer:
    def __init__(self, model, epochs, steps_per_epoch, callbacks):
        self.model, self.epochs, self.callbacks, self.stop = model, epochs, callbacks, False
        self.opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
        self.sched = torch.optim.lr_scheduler.OneCycleLR(self.opt, max_lr=5e-3, epochs=epochs,
                                                         steps_per_epoch=steps_per_epoch)
        self.loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    def fit(self, loader):
        self.model.train()
        for epoch in range(self.epochs):
            logs = {}
            for xb, yb in loader:
                self.opt.zero_grad()
                loss = self.loss_fn(self.model(xb), yb)
                loss.backward()
                self.opt.step()
                self.sched.step()
            logs["loss"] = loss.item()
            for cb in self.callbacks:
                cb.on_epoch_end(self, logs)
            print(epoch, logs)
            if self.stop:
                break


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
as_ds = lambda a, b: torch.utils.data.TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b))
train_loader = torch.utils.data.DataLoader(as_ds(Xtr, ytr), batch_size=64, shuffle=True)
val_loader = torch.utils.data.DataLoader(as_ds(Xva, yva), batch_size=256)
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 128), nn.ReLU(),
                      nn.Dropout(0.3), nn.Linear(128, 10))
Trainer(model, 12, len(train_loader), [Validation(val_loader, nn.CrossEntropyLoss()), EarlyStopping()]).fit(train_loader)
