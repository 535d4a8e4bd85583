"""clean: linear warm-up for 30 steps, then cosine decay to 0 over the run,
stepped per batch (as intended), AdamW."""
# traindebug-expect: clean
import math

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / (X.std(0) + 1e-8), dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 128), nn.GELU(), nn.Linear(128, 10))
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
EPOCHS, BATCH = 10, 64
total = EPOCHS * math.ceil(len(X) / BATCH)
warmup = 30


def lr_lambda(step: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * progress))


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
for epoch in range(EPOCHS):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), BATCH):
        b = perm[i : i + BATCH]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[b]), y[b])
        loss.backward()
        opt.step()
        sched.step()
    print(epoch, loss.item(), sched.get_last_lr()[0])
