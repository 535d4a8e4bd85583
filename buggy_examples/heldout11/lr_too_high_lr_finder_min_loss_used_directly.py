"""Digits MLP trained with SGD+momentum; a Leslie-Smith LR range test (weights and optimizer
restored afterwards from an in-memory buffer) picks the learning rate.

Seeded bug (lr_too_high): the LR at the *minimum* of the smoothed finder loss is used
directly as the training LR; at that point the loss is already about to blow up, the
usual rule is to take roughly a tenth of it.  The finder returns 0.536, i.e. ~10x too large.

Measured (47 finder steps + 10 epochs = 230 training steps): train loss 2.42, 1.91, 2.30,
2.35, ... 1.78 after 10 epochs, val acc peaks at 0.41 then collapses to 0.13-0.30.
With best_lr / 10 (0.0536): train loss 0.080, val loss 0.108, val acc 0.958.
"""
# traindebug-expect: lr_too_high
import io
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=1, stratify=y)
X_tr, X_va = torch.from_numpy(X_tr), torch.from_numpy(X_va)
y_tr, y_va = torch.from_numpy(y_tr), torch.from_numpy(y_va)


def collate(batch):
    xs = torch.stack([b[0] for b in batch])
    ys = torch.stack([b[1] for b in batch])
    # light input noise as augmentation
    return xs + 0.02 * torch.randn_like(xs), ys


train_ds = torch.utils.data.TensorDataset(X_tr, y_tr)
loader = torch.utils.data.DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=collate,
                                     generator=torch.Generator().manual_seed(0))

model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)


def lr_range_test(model, opt, loader, lr_min=1e-4, lr_max=10.0, num_steps=60, beta=0.9):
    """Leslie Smith style LR range test; weights/optimizer are restored afterwards."""
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
    mult = (lr_max / lr_min) ** (1 / (num_steps - 1))
    lr, avg, best = lr_min, 0.0, float("inf")
    lrs, losses = [], []
    it = iter(loader)
    model.train()
    for i in range(num_steps):
        try:
            xb, yb = next(it)
        except StopIteration:
            it = iter(loader)
            xb, yb = next(it)
        for g in opt.param_groups:
            g["lr"] = lr
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        avg = beta * avg + (1 - beta) * loss.item()
        smooth = avg / (1 - beta ** (i + 1))
        if not math.isfinite(smooth) or smooth > 4 * best:
            break
        best = min(best, smooth)
        lrs.append(lr)
        losses.append(smooth)
        lr *= mult
    buf.seek(0)
    state = torch.load(buf)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    return np.array(lrs), np.array(losses)


lrs, losses = lr_range_test(model, opt, loader)
best_lr = float(lrs[np.argmin(losses)])
print(f"lr finder: tested {len(lrs)} lrs, min smoothed loss {losses.min():.3f} at lr={best_lr:.3g}")

EPOCHS = 10
for g in opt.param_groups:
    g["lr"] = best_lr
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)

for epoch in range(EPOCHS):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    sched.step()
    model.eval()
    with torch.no_grad():
        out = model(X_va)
        va_loss = F.cross_entropy(out, y_va).item()
        va_acc = (out.argmax(1) == y_va).float().mean().item()
    print(f"epoch {epoch:2d} lr={opt.param_groups[0]['lr']:.3g} train_loss={tot / n:.4f} "
          f"val_loss={va_loss:.4f} val_acc={va_acc:.3f}")
