"""4-class MLP trained through a small ignite-style event engine: the training
step is a process function and bookkeeping lives in handlers registered with
@trainer.on(Events.X).

Seeded bug (missing_zero_grad): optimizer.zero_grad() sits in the handler for
Events.EPOCH_STARTED instead of Events.ITERATION_STARTED, and train_step does
not zero gradients itself. Gradients therefore accumulate over all 38
iterations of an epoch (with momentum on top), so steps grow ever larger.

Measured (304 SGD steps): buggy train CE climbs 2.28 -> 56, val acc ~0.25
(chance); fixed copy (zero_grad every iteration) train CE 0.217,
val acc 0.880.
"""
# traindebug-expect: missing_zero_grad
from collections import defaultdict
from enum import Enum

import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
torch.set_num_threads(1)


class Events(Enum):
    STARTED = "started"
    EPOCH_STARTED = "epoch_started"
    ITERATION_STARTED = "iteration_started"
    ITERATION_COMPLETED = "iteration_completed"
    EPOCH_COMPLETED = "epoch_completed"
    COMPLETED = "completed"


class State:
    def __init__(self):
        self.epoch = 0
        self.iteration = 0
        self.batch = None
        self.output = None
        self.metrics = {}


class Engine:
    def __init__(self, process_fn):
        self.process_fn = process_fn
        self.handlers = defaultdict(list)
        self.state = State()

    def on(self, event):
        def deco(fn):
            self.handlers[event].append(fn)
            return fn
        return deco

    def fire(self, event):
        for fn in self.handlers[event]:
            fn(self)

    def run(self, loader_fn, max_epochs):
        self.fire(Events.STARTED)
        for _ in range(max_epochs):
            self.state.epoch += 1
            self.fire(Events.EPOCH_STARTED)
            for batch in loader_fn():
                self.state.iteration += 1
                self.state.batch = batch
                self.fire(Events.ITERATION_STARTED)
                self.state.output = self.process_fn(self, batch)
                self.fire(Events.ITERATION_COMPLETED)
            self.fire(Events.EPOCH_COMPLETED)
        self.fire(Events.COMPLETED)
        return self.state


# ---------------------------------------------------------------- data / model
X, y = make_classification(n_samples=3000, n_features=20, n_informative=12,
                           n_redundant=4, n_classes=4, n_clusters_per_class=2,
                           class_sep=1.2, random_state=0)
X = StandardScaler().fit_transform(X)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                      nn.Linear(64, 4))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()
BATCH = 64


def train_loader():
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), BATCH):
        b = perm[i:i + BATCH]
        yield X_tr[b], y_tr[b]


def train_step(engine, batch):
    xb, yb = batch
    model.train()
    loss = criterion(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss.item()


trainer = Engine(train_step)


@trainer.on(Events.EPOCH_STARTED)
def reset(engine):
    optimizer.zero_grad()
    engine.state.metrics["running"] = []


@trainer.on(Events.ITERATION_COMPLETED)
def track(engine):
    engine.state.metrics["running"].append(engine.state.output)


@trainer.on(Events.EPOCH_COMPLETED)
def validate(engine):
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        va_loss = criterion(logits, y_va).item()
        acc = (logits.argmax(1) == y_va).float().mean().item()
    run = engine.state.metrics["running"]
    print(f"epoch {engine.state.epoch} iter {engine.state.iteration} "
          f"train_loss {sum(run) / len(run):.4f} val_loss {va_loss:.4f} val_acc {acc:.3f}")


trainer.run(train_loader, max_epochs=8)
