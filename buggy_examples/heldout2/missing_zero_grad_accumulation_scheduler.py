"""Seeded bug: gradient accumulation over 4 micro-batches with a cosine
scheduler stepped once per accumulation; zero_grad() sits at the start of
each epoch (where it was before accumulation was added) instead of after
each optimizer step, so the gradients of all earlier micro-batches of the
epoch keep adding up. Loss on the generated 4-class data oscillates
between ~4 and ~5 at the end vs ~0.2-0.5 with zero_grad after the step
(measured)."""
# traindebug-expect: missing_zero_grad
import math

import torch
from sklearn.datasets import make_classification
from torch import nn

X, y = make_classification(n_samples=6000, n_features=24, n_informative=12, n_classes=4,
                           n_clusters_per_class=2, random_state=1)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(24, 128), nn.GELU(), nn.Linear(128, 64), nn.GELU(), nn.Linear(64, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
accum, micro = 4, 32
updates_per_epoch = len(X) // (accum * micro)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, 400) / 400)))
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=micro, shuffle=True,
                                     drop_last=True)
for epoch in range(10):
    opt.zero_grad()  # BUG: only once per epoch
    for i, (xb, yb) in enumerate(loader):
        loss = nn.functional.cross_entropy(model(xb), yb) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            opt.step()
            sched.step()
    print(epoch, round(loss.item() * accum, 3), sched.get_last_lr()[0])
