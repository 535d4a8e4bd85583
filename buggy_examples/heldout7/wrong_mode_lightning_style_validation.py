"""Digits CNN as a hand-written Lightning-style module driven by a small trainer.

Seeded bug (wrong_mode): MiniTrainer.validate() runs the validation steps under
torch.no_grad() but never calls module.eval(), so validation runs in train mode:
Dropout/Dropout2d stay active, BatchNorm normalises each 8-sample validation batch
with its own statistics, and the running statistics are overwritten with
validation batches.

Measured (6 epochs, 252 steps): final val_loss 0.208, val_acc 0.954. The fixed copy
(module.eval() before the validation loop) gets val_loss 0.039, val_acc 0.992.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import TensorDataset, DataLoader, random_split

torch.set_num_threads(1)
torch.manual_seed(7)


class DigitsDataModule:
    def __init__(self, batch_size=32, val_batch_size=8):
        d = load_digits()
        X = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
        y = torch.tensor(d.target, dtype=torch.long)
        full = TensorDataset(X, y)
        self.train_set, self.val_set = random_split(
            full, [1317, len(full) - 1317], generator=torch.Generator().manual_seed(1))
        self.batch_size, self.val_batch_size = batch_size, val_batch_size

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.val_batch_size)


class LitDigitCNN(nn.Module):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.lr = lr
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2), nn.Dropout2d(0.25),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 4 * 4, 128), nn.BatchNorm1d(128), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(128, 10))

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.cross_entropy(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return {"val_loss": F.cross_entropy(logits, y, reduction="sum"),
                "correct": (logits.argmax(1) == y).sum(), "n": len(y)}

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        return opt, sched


class MiniTrainer:
    def __init__(self, max_epochs):
        self.max_epochs = max_epochs

    def fit(self, module, dm):
        opt, sched = module.configure_optimizers()
        for epoch in range(self.max_epochs):
            module.train()
            losses = []
            for i, batch in enumerate(dm.train_dataloader()):
                loss = module.training_step(batch, i)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
            sched.step()
            self.validate(module, dm, epoch, float(np.mean(losses)))

    @torch.no_grad()
    def validate(self, module, dm, epoch, train_loss):
        outs = [module.validation_step(b, i) for i, b in enumerate(dm.val_dataloader())]
        n = sum(o["n"] for o in outs)
        vl = sum(o["val_loss"].item() for o in outs) / n
        acc = sum(o["correct"].item() for o in outs) / n
        print(f"epoch {epoch}: train_loss={train_loss:.4f} val_loss={vl:.4f} val_acc={acc:.4f}")


MiniTrainer(max_epochs=6).fit(LitDigitCNN(), DigitsDataModule())
