"""Deep Sets (phi -> masked mean/max pooling -> rho) classifying generated 2-D
point clouds of variable size (ring / segment / blob / square outline).

Seeded bug (over_regularization): weight_decay=5e-2 (a typical *decoupled* AdamW
value) is passed to torch.optim.Adam, where it is added to the gradient as an L2
term. Adam normalises the summed gradient, so the decay term dominates every
update and drives the weights toward zero faster than the task gradient can
grow them.
Measured (8 epochs, 296 steps): buggy loss stays at 1.385 (ln 4 = 1.386), test
acc 0.26, total weight norm shrinks 5.5 -> 1.4; fixed (AdamW with the same
weight_decay=5e-2, or Adam without decay) loss 0.057, test acc 0.983,
weight norm ~15.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(5)
rng = np.random.default_rng(5)

SHAPES = ["ring", "segment", "blob", "square"]
MAX_PTS = 40


def sample_set(kind):
    n = int(rng.integers(15, MAX_PTS + 1))
    if kind == 0:
        a = rng.uniform(0, 2 * np.pi, n)
        r = rng.uniform(0.8, 1.2)
        pts = np.stack([r * np.cos(a), r * np.sin(a)], 1)
    elif kind == 1:
        a = rng.uniform(0, np.pi)
        t = rng.uniform(-1, 1, n)
        pts = np.stack([t * np.cos(a), t * np.sin(a)], 1)
    elif kind == 2:
        pts = rng.normal(scale=0.45, size=(n, 2))
    else:
        s = rng.integers(0, 4, n)
        t = rng.uniform(-1, 1, n)
        pts = np.where(s[:, None] % 2 == 0,
                       np.stack([t, np.where(s == 0, 1.0, -1.0)], 1),
                       np.stack([np.where(s == 1, 1.0, -1.0), t], 1)) * 0.8
    pts = pts + 0.04 * rng.normal(size=pts.shape) + rng.normal(scale=0.3, size=(1, 2))
    return pts.astype(np.float32)


def make_batch_tensors(n):
    x = np.zeros((n, MAX_PTS, 2), np.float32)
    mask = np.zeros((n, MAX_PTS), bool)
    y = rng.integers(0, len(SHAPES), n)
    for i in range(n):
        p = sample_set(y[i])
        x[i, :len(p)] = p
        mask[i, :len(p)] = True
    return torch.from_numpy(x), torch.from_numpy(mask), torch.from_numpy(y).long()


class DeepSets(nn.Module):
    def __init__(self, d_in=2, d_hid=64, n_out=4):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(d_in, d_hid), nn.ReLU(),
                                 nn.Linear(d_hid, d_hid), nn.ReLU(),
                                 nn.Linear(d_hid, d_hid))
        self.rho = nn.Sequential(nn.Linear(2 * d_hid, d_hid), nn.ReLU(),
                                 nn.Linear(d_hid, n_out))

    def forward(self, x, mask):
        x = x - (x * mask[..., None]).sum(1, keepdim=True) / mask.sum(1, keepdim=True)[..., None]
        h = self.phi(x)
        m = mask[..., None].float()
        mean = (h * m).sum(1) / m.sum(1)
        mx = h.masked_fill(~mask[..., None], -1e4).max(1).values
        return self.rho(torch.cat([mean, mx], -1))


x_tr, m_tr, y_tr = make_batch_tensors(2400)
x_te, m_te, y_te = make_batch_tensors(600)

model = DeepSets()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=5e-2)

BATCH = 64
steps_per_epoch = len(y_tr) // BATCH
for epoch in range(8):
    model.train()
    order = torch.randperm(len(y_tr))
    ep_loss = 0.0
    for s in range(steps_per_epoch):
        idx = order[s * BATCH:(s + 1) * BATCH]
        logits = model(x_tr[idx], m_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ep_loss += loss.item()
    model.eval()
    with torch.no_grad():
        acc = (model(x_te, m_te).argmax(1) == y_te).float().mean().item()
    wnorm = sum(p.norm() ** 2 for p in model.parameters()).sqrt().item()
    print(f"epoch {epoch + 1}: loss={ep_loss / steps_per_epoch:.4f} test_acc={acc:.3f} |w|={wnorm:.2f}")
