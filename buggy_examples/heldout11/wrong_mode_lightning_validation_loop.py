"""Lightning-style module (training_step / validation_step /
configure_optimizers) driven by a small hand-written loop, wine data.

Seeded bug: `run_validation()` switches the module to eval mode but never
switches it back, and `fit()` only calls `module.train()` once, before the
sanity-check validation pass. Every training step therefore runs in eval
mode: dropout is off and all BatchNorm layers (including the input BN that
is supposed to standardise the raw wine features, proline ~ 1e3) normalise
with their initial running stats (mean 0, var 1), which are never updated.

Measured (210 steps): train loss 17.8 in epoch 0, then erratic 0.6-1.0;
final val loss 1.19, val acc 0.67.
Fixed (module.train() at the start of every epoch): train loss 0.91 -> 0.09,
final val loss 0.029, val acc 0.986.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class WineModule(nn.Module):
    def __init__(self, in_dim=13, num_classes=3, hidden=128, p_drop=0.5, lr=3e-3):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(
            nn.BatchNorm1d(in_dim),
            nn.Linear(in_dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p_drop),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p_drop),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.cross_entropy(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return F.cross_entropy(logits, y).item(), (logits.argmax(-1) == y).sum().item()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def run_validation(module, loader):
    module.eval()
    loss_sum, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for i, (x, y) in enumerate(loader):
            l, c = module.validation_step((x, y), i)
            loss_sum += l * len(y)
            correct += c
            n += len(y)
    return loss_sum / n, correct / n


def make_loader(X, y, bs, shuffle, gen=None):
    def it():
        idx = torch.randperm(len(X), generator=gen) if shuffle else torch.arange(len(X))
        for i in range(0, len(X), bs):
            j = idx[i:i + bs]
            if shuffle and len(j) < 2:
                continue
            yield X[j], y[j]
    return it


def fit(module, train_loader, val_loader, max_epochs):
    optimizer = module.configure_optimizers()
    module.train()
    # sanity-check the validation loop before spending time on training
    val_loss, val_acc = run_validation(module, val_loader())
    print(f"sanity check: val_loss {val_loss:.4f} val_acc {val_acc:.3f}")
    step = 0
    for epoch in range(max_epochs):
        losses = []
        for batch_idx, batch in enumerate(train_loader()):
            loss = module.training_step(batch, batch_idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
        val_loss, val_acc = run_validation(module, val_loader())
        if epoch % 10 == 0 or epoch == max_epochs - 1:
            print(f"epoch {epoch:3d} step {step} train_loss {np.mean(losses):.4f} "
                  f"val_loss {val_loss:.4f} val_acc {val_acc:.3f}")


def main():
    torch.manual_seed(3)
    X, y = load_wine(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.4, random_state=3, stratify=y)
    X_tr, X_va = (torch.tensor(a, dtype=torch.float32) for a in (X_tr, X_va))
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)
    gen = torch.Generator().manual_seed(3)
    module = WineModule()
    fit(module, make_loader(X_tr, y_tr, 16, True, gen), make_loader(X_va, y_va, 128, False), max_epochs=30)


if __name__ == "__main__":
    main()
