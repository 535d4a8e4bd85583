"""
Seeded bug: the trainer puts the model in training mode once, in its
constructor, and runs a Lightning-style "sanity check" validation pass before
the first epoch.  ``validate()`` switches the model to ``eval()`` and nothing
switches it back, so every training forward/backward pass runs in eval mode:
dropout is off and the BatchNorm layers normalise with their initial running
statistics (mean 0, var 1), which are never updated.  The deep MLP, whose
default init shrinks the signal layer by layer, loses the normalisation it
relies on.

Measured (seed 0, 5 hidden layers, 230 SGD steps): with the bug the loss
stays within 0.1 of ln(10) for ~6 epochs and ends at train 1.636 / val 1.550 with
validation accuracy 0.483; with ``self.model.train()`` at the start of each
epoch the same run ends at train 0.336 / val 0.330, validation accuracy
0.986 (0.8+ after the first epoch).
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def mlp_block(d_in, d_out, p_drop):
    return nn.Sequential(nn.Linear(d_in, d_out), nn.BatchNorm1d(d_out), nn.ReLU(), nn.Dropout(p_drop))


class DeepMLP(nn.Module):
    def __init__(self, d_in, n_classes, width=128, depth=5, p_drop=0.1):
        super().__init__()
        dims = [d_in] + [width] * depth
        self.body = nn.Sequential(*[mlp_block(a, b, p_drop) for a, b in zip(dims[:-1], dims[1:])])
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


class Trainer:
    def __init__(self, model, train_data, val_data, lr=0.05, batch_size=64, epochs=10):
        self.model = model
        self.model.train()
        self.Xtr, self.ytr = train_data
        self.Xva, self.yva = val_data
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, step_size=4, gamma=0.5)
        self.loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
        self.batch_size = batch_size
        self.epochs = epochs
        self.step = 0

    @torch.no_grad()
    def validate(self):
        self.model.eval()
        logits = self.model(self.Xva)
        loss = self.loss_fn(logits, self.yva).item()
        acc = (logits.argmax(1) == self.yva).float().mean().item()
        return loss, acc

    def train_epoch(self):
        perm = torch.randperm(len(self.Xtr))
        losses = []
        for s in range(0, len(perm), self.batch_size):
            idx = perm[s:s + self.batch_size]
            if len(idx) < 2:
                continue
            loss = self.loss_fn(self.model(self.Xtr[idx]), self.ytr[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            losses.append(loss.item())
            self.step += 1
        self.sched.step()
        return float(np.mean(losses))

    def fit(self):
        vl, va = self.validate()
        print(f"sanity check: val_loss {vl:.3f} val_acc {va:.3f}")
        for epoch in range(self.epochs):
            tl = self.train_epoch()
            vl, va = self.validate()
            print(f"epoch {epoch + 1:2d} step {self.step:4d} train_loss {tl:.3f} val_loss {vl:.3f} val_acc {va:.3f}")


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    mean = X_tr.mean(0)
    X_tr, X_va = X_tr - mean, X_va - mean
    tr = (torch.from_numpy(X_tr), torch.from_numpy(y_tr))
    va = (torch.from_numpy(X_va), torch.from_numpy(y_va))
    model = DeepMLP(X.shape[1], 10)
    Trainer(model, tr, va).fit()


if __name__ == "__main__":
    main()
