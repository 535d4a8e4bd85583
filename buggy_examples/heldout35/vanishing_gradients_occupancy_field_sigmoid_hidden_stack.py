"""
Implicit neural occupancy field on a generated 2-D shape (disc with a square hole plus a bar,
points uniform in [-1, 1]^2; 8000 train / 4000 validation points): nn.Sequential MLP
2 -> 8 x 64 hidden -> 1 logit, BCEWithLogitsLoss, Adam lr 2e-3, random mini-batches of 128,
400 steps, validation loss / accuracy / IoU every 50 steps.

Seeded bug: every hidden layer uses nn.Sigmoid() as its activation (the author carried the
"occupancy is a probability" sigmoid into the hidden layers). Each sigmoid multiplies the
backward signal by at most 0.25, so through eight layers the first layer's gradient is
~1e-9 while the last layer's is ~1e-1; the early layers never learn coordinates features and
the field collapses to "everything outside" (the 77% majority).

Measured (seed 0, 1 thread): buggy: |grad first layer| ~1e-9 vs |grad last layer| ~1e-1,
final val loss 0.540, accuracy 0.771, IoU 0.000. Fixed copy (nn.ReLU() hidden activations):
|grad first layer| ~0.2, val loss 0.180, accuracy 0.918, IoU 0.658.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def occupancy(p):
    """Inside-test for a 2-D shape: a disc with a square hole plus a bar."""
    x, y = p[:, 0], p[:, 1]
    disc = (x + 0.3) ** 2 + y ** 2 < 0.45 ** 2
    hole = (np.abs(x + 0.3) < 0.15) & (np.abs(y) < 0.15)
    bar = (np.abs(x - 0.5) < 0.12) & (np.abs(y) < 0.7)
    return ((disc & ~hole) | bar).astype(np.float32)


def make_mlp(depth=8, width=64):
    layers = [nn.Linear(2, width), nn.Sigmoid()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.Sigmoid()]
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


rng = np.random.default_rng(0)
P_train = rng.uniform(-1, 1, size=(8000, 2)).astype(np.float32)
P_test = rng.uniform(-1, 1, size=(4000, 2)).astype(np.float32)
pt, ot = torch.from_numpy(P_train), torch.from_numpy(occupancy(P_train))
pv, ov = torch.from_numpy(P_test), torch.from_numpy(occupancy(P_test))

field = make_mlp()
opt = torch.optim.Adam(field.parameters(), lr=2e-3)
loss_fn = nn.BCEWithLogitsLoss()

steps, bs = 400, 128
for step in range(1, steps + 1):
    idx = torch.randint(0, pt.shape[0], (bs,))
    logits = field(pt[idx]).squeeze(1)
    loss = loss_fn(logits, ot[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        with torch.no_grad():
            pred = field(pv).squeeze(1) > 0
            inside = ov > 0.5
            iou = (pred & inside).sum().item() / max(1, (pred | inside).sum().item())
            acc = (pred == inside).float().mean().item()
            vloss = loss_fn(field(pv).squeeze(1), ov).item()
        g_first = field[0].weight.grad.norm().item()
        g_last = field[-1].weight.grad.norm().item()
        print(f"step {step} loss {loss.item():.4f} val_loss {vloss:.4f} acc {acc:.3f} IoU {iou:.3f} "
              f"|g_first| {g_first:.2e} |g_last| {g_last:.2e}")
print(f"final val_loss {vloss:.4f} occupancy acc {acc:.3f} IoU {iou:.3f}")
