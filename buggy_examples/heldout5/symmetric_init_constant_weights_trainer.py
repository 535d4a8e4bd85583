"""Seeded bug: `init_weights` sets every Linear weight to the same constant
(0.01) -- the author wanted "small weights" but used nn.init.constant_ instead
of a random init. All hidden units of each layer compute the same function and
receive identical gradients, so they stay identical forever and the 128-wide
MLP behaves like a 1-unit-wide one on the 10-class digits task.
Measured (seed 0, digits): after 10 epochs the 128 layer-1 units are still
exactly equal (max |w_i - w_0| = 0.0); final train loss 1.538, val acc 0.333,
vs 0.017 / 0.967 (max |w_i - w_0| = 0.46) with the default random init.
"""
# traindebug-expect: symmetric_init
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.01)
        nn.init.zeros_(m.bias)


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogger(Callback):
    def __init__(self, every=5):
        self.every = every

    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % self.every == 0:
            print(f"epoch {epoch:3d}  " + "  ".join(f"{k} {v:.4f}" for k, v in logs.items()))


class Trainer:
    def __init__(self, model, optimizer, loss_fn, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.callbacks = list(callbacks)

    def fit(self, train_loader, val_data, epochs):
        for epoch in range(epochs):
            self.model.train()
            total, count = 0.0, 0
            for xb, yb in train_loader:
                self.optimizer.zero_grad()
                loss = self.loss_fn(self.model(xb), yb)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(xb)
                count += len(xb)
            logs = {"loss": total / count, **self.evaluate(*val_data)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return logs

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        logits = self.model(x)
        return {"val_loss": self.loss_fn(logits, y).item(),
                "val_acc": (logits.argmax(1) == y).float().mean().item()}


def main():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr = torch.tensor(ytr)
    yva = torch.tensor(yva)

    model = nn.Sequential(
        nn.Linear(64, 128), nn.Tanh(),
        nn.Linear(128, 128), nn.Tanh(),
        nn.Linear(128, 10),
    )
    model.apply(init_weights)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    trainer = Trainer(model, opt, nn.CrossEntropyLoss(), callbacks=[PrintLogger(every=3)])
    logs = trainer.fit(loader, (Xva, yva), epochs=10)
    w = model[0].weight.detach()
    print(f"final: {logs}")
    print(f"max |w_i - w_0| across layer-1 units: {(w - w[0]).abs().max().item():.2e}")


if __name__ == "__main__":
    main()
