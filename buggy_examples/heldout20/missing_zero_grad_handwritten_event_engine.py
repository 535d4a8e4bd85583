"""Hand-written ignite-style Engine (events + handlers) training an MLP on wine.

Seeded bug (missing_zero_grad): optimizer.zero_grad() is attached as a handler to
EPOCH_STARTED instead of ITERATION_STARTED, so gradients accumulate over the ~8
iterations of each epoch (and momentum amplifies them).
Measured (240 iterations): buggy val loss 169 at epoch 5, final val acc 0.389,
train loss ~2; fixed (ITERATION_STARTED): train loss 0.0004, val acc 1.000.
"""
# traindebug-expect: missing_zero_grad
from collections import defaultdict
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(1)


class Events:
    STARTED, EPOCH_STARTED, ITERATION_STARTED = "started", "epoch_started", "iteration_started"
    ITERATION_COMPLETED, EPOCH_COMPLETED, COMPLETED = "iteration_completed", "epoch_completed", "completed"


class State:
    def __init__(self):
        self.epoch = 0
        self.iteration = 0
        self.output = None
        self.metrics = {}


class Engine:
    """Minimal ignite-style engine: a process function plus event handlers."""

    def __init__(self, process_fn):
        self.process_fn = process_fn
        self.handlers = defaultdict(list)
        self.state = State()

    def on(self, event, every=1):
        def deco(fn):
            self.handlers[event].append((fn, every))
            return fn
        return deco

    def fire(self, event, counter=0):
        for fn, every in self.handlers[event]:
            if counter % every == 0:
                fn(self)

    def run(self, loader, max_epochs):
        self.fire(Events.STARTED)
        for _ in range(max_epochs):
            self.state.epoch += 1
            self.fire(Events.EPOCH_STARTED, self.state.epoch)
            for batch in loader:
                self.state.iteration += 1
                self.fire(Events.ITERATION_STARTED, self.state.iteration)
                self.state.output = self.process_fn(self, batch)
                self.fire(Events.ITERATION_COMPLETED, self.state.iteration)
            self.fire(Events.EPOCH_COMPLETED, self.state.epoch)
        self.fire(Events.COMPLETED)
        return self.state


X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (Xtr, Xva))
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
train_ds = torch.utils.data.TensorDataset(Xtr, ytr)
loader = torch.utils.data.DataLoader(train_ds, batch_size=16, shuffle=True,
                                     generator=torch.Generator().manual_seed(0))

model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()


def train_step(engine, batch):
    xb, yb = batch
    model.train()
    loss = criterion(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss.item()


trainer = Engine(train_step)


@trainer.on(Events.EPOCH_STARTED)
def reset_grads(engine):
    optimizer.zero_grad()


running = []


@trainer.on(Events.ITERATION_COMPLETED)
def log_loss(engine):
    running.append(engine.state.output)


@trainer.on(Events.EPOCH_COMPLETED, every=5)
def validate(engine):
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        engine.state.metrics = {"val_loss": criterion(logits, yva).item(),
                                "val_acc": (logits.argmax(1) == yva).float().mean().item()}
    print(f"epoch {engine.state.epoch:2d} it {engine.state.iteration:4d} "
          f"train {np.mean(running[-8:]):.4f} val {engine.state.metrics['val_loss']:.4f} "
          f"acc {engine.state.metrics['val_acc']:.3f}")


state = trainer.run(loader, max_epochs=30)
print(f"done: {state.iteration} iterations, final val acc {state.metrics['val_acc']:.3f}")
