"""Digits MLP with BatchNorm and Dropout(0.5), trained from a while-loop on a global step
counter with an infinite batch generator; progress is reported with the logging module
and the model is evaluated on the held-out set every 30 steps.

Seeded bug (wrong_mode): evaluate() never switches the network to eval mode, so every
evaluation runs with dropout active and BatchNorm using (and updating its running
statistics from) the held-out batch.

Measured (300 SGD steps): logged val acc at the end 0.917 (0.85-0.93 over the run).
Fixed copy (net.eval() in evaluate, model.train() afterwards): final val acc 0.962
(0.93-0.97 over the run).
"""
# traindebug-expect: wrong_mode
import logging
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("train")

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

digits = load_digits()
X = digits.data.astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, digits.target, train_size=400, random_state=0, stratify=digits.target)
Xtr, Xte = torch.tensor(Xtr), torch.tensor(Xte)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

model = nn.Sequential(
    nn.BatchNorm1d(64),
    nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 10),
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

MAX_STEPS = 300
EVAL_EVERY = 30
BATCH = 32


def evaluate(net):
    with torch.no_grad():
        logits = net(Xte)
        loss = F.cross_entropy(logits, yte).item()
        acc = (logits.argmax(1) == yte).float().mean().item()
    return loss, acc


def batches():
    while True:
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr) - BATCH + 1, BATCH):
            idx = perm[i:i + BATCH]
            yield Xtr[idx], ytr[idx]


global_step = 0
stream = batches()
model.train()
running = 0.0
while global_step < MAX_STEPS:
    xb, yb = next(stream)
    loss = F.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    global_step += 1
    running += loss.item()
    if global_step % EVAL_EVERY == 0:
        val_loss, val_acc = evaluate(model)
        log.info("step %d train_loss %.4f val_loss %.4f val_acc %.4f",
                 global_step, running / EVAL_EVERY, val_loss, val_acc)
        running = 0.0

log.info("done after %d steps", global_step)
