"""Lightning-style CNN module on 8x8 digits, driven by a small hand-written fit() loop.

Seeded bug: configure_optimizers() builds StepLR(step_size=10, gamma=0.1) meaning "decay every
10 epochs", but fit() calls sched.step() after every batch (23 batches per epoch), so the
learning rate is 5e-4 after the first epoch, 5e-6 after the second and ~5e-29 at the end:
training stalls almost immediately.
Measured effect (276 optimizer steps): train loss 2.26 -> 2.22 and frozen there, val acc 0.364.
Fixed (sched.step() once per epoch): train loss 0.0012, val loss 0.061, val acc 0.981.
"""
# traindebug-expect: lr_too_low
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split
from sklearn.datasets import load_digits


class LitDigitsCNN(nn.Module):
    def __init__(self, lr=0.05, n_classes=10):
        super().__init__()
        self.hparams = dict(lr=lr)
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 64), nn.ReLU(),
                                  nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return F.cross_entropy(logits, y, reduction="sum").item(), (logits.argmax(1) == y).sum().item()

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams["lr"], momentum=0.9)
        # decay by 10x every 10 epochs
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)
        return opt, sched


def fit(module, train_loader, val_loader, max_epochs):
    opt, sched = module.configure_optimizers()
    for epoch in range(max_epochs):
        module.train()
        tot, n = 0.0, 0
        for i, batch in enumerate(train_loader):
            opt.zero_grad()
            loss = module.training_step(batch, i)
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(batch[0]); n += len(batch[0])
        module.eval()
        vl, vc, vn = 0.0, 0, 0
        with torch.no_grad():
            for i, batch in enumerate(val_loader):
                l, c = module.validation_step(batch, i)
                vl += l; vc += c; vn += len(batch[0])
        print(f"epoch {epoch:2d} lr {opt.param_groups[0]['lr']:.2e} train_loss {tot/n:.4f} "
              f"val_loss {vl/vn:.4f} val_acc {vc/vn:.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    digits = load_digits()
    X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    X = (X - X.mean()) / X.std()
    y = torch.tensor(digits.target)
    ds = TensorDataset(X, y)
    n_val = 360
    train_ds, val_ds = random_split(ds, [len(ds) - n_val, n_val],
                                    generator=torch.Generator().manual_seed(0))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)
    model = LitDigitsCNN(lr=0.05)
    fit(model, train_loader, val_loader, max_epochs=12)
