"""
Quantile forecaster on synthetic seasonal series (two sines + level + Student-t noise):
causal dilated 1-D CNN (TCN, residual blocks, dilations 2/4/8) reading 32 past values and
predicting 12 steps x 3 quantiles (0.1/0.5/0.9) with the pinball loss. RMSprop (alpha 0.9),
batch 64, 10 epochs (230 steps), config held in a dict.

Seeded bug: the learning rate 0.1 was carried over from the SGD baseline's config when the
optimizer was switched to RMSprop. RMSprop divides by the running RMS of the gradient, so every
parameter moves by ~lr per step regardless of gradient size; 0.1 is about 100x too large
(1e-3 is the usual value). The first epoch has batch losses up to ~42 (starting from ~0.4), and for
the rest of the run the loss bounces between 0.15 and 0.3 with no steady improvement.

Measured (seed 0, 1 thread): buggy: epoch-0 mean train pinball 2.09 (max batch 42.3), final
train pinball 0.174, test pinball 0.231, 80% interval coverage 0.62. Fixed copy (lr 1e-3):
epoch-0 train pinball 0.30 (max batch 0.44), final train 0.110, test 0.135, coverage 0.77.
"""
# traindebug-expect: lr_too_high
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = {
    "context": 32,
    "horizon": 12,
    "quantiles": (0.1, 0.5, 0.9),
    "channels": 24,
    "batch_size": 64,
    "epochs": 10,
    "lr": 1e-1,
    "alpha": 0.9,
}


def make_series(n_series, length, rng):
    t = np.arange(length)[None, :]
    p1 = rng.uniform(18, 30, (n_series, 1))
    p2 = rng.uniform(5, 9, (n_series, 1))
    a1 = rng.uniform(0.5, 1.5, (n_series, 1))
    a2 = rng.uniform(0.1, 0.5, (n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, (n_series, 1))
    level = rng.normal(0, 0.5, (n_series, 1))
    noise = rng.standard_t(4, (n_series, length)) * 0.15
    return (level + a1 * np.sin(2 * np.pi * t / p1 + phase)
            + a2 * np.sin(2 * np.pi * t / p2) + noise).astype(np.float32)


def windows(series, context, horizon, stride=6):
    xs, ys = [], []
    for s in series:
        for start in range(0, len(s) - context - horizon + 1, stride):
            xs.append(s[start:start + context])
            ys.append(s[start + context:start + context + horizon])
    return torch.tensor(np.stack(xs)), torch.tensor(np.stack(ys))


class CausalConv(nn.Module):
    def __init__(self, c_in, c_out, k, dilation):
        super().__init__()
        self.pad = (k - 1) * dilation
        self.conv = nn.Conv1d(c_in, c_out, k, dilation=dilation)

    def forward(self, x):
        return self.conv(F.pad(x, (self.pad, 0)))


class QuantileTCN(nn.Module):
    def __init__(self, ch, horizon, n_q):
        super().__init__()
        self.inp = CausalConv(1, ch, 3, 1)
        self.blocks = nn.ModuleList([CausalConv(ch, ch, 3, d) for d in (2, 4, 8)])
        self.head = nn.Linear(ch, horizon * n_q)
        self.horizon, self.n_q = horizon, n_q

    def forward(self, x):
        h = F.relu(self.inp(x.unsqueeze(1)))
        for blk in self.blocks:
            h = h + F.relu(blk(h))
        return self.head(h[:, :, -1]).view(-1, self.horizon, self.n_q)


def pinball(pred, target, qs):
    diff = target.unsqueeze(-1) - pred
    return torch.maximum(qs * diff, (qs - 1) * diff).mean()


rng = np.random.default_rng(0)
series = make_series(60, 220, rng)
x_tr, y_tr = windows(series[:48], CONFIG["context"], CONFIG["horizon"])
x_te, y_te = windows(series[48:], CONFIG["context"], CONFIG["horizon"])
qs = torch.tensor(CONFIG["quantiles"])

model = QuantileTCN(CONFIG["channels"], CONFIG["horizon"], len(qs))
opt = torch.optim.RMSprop(model.parameters(), lr=CONFIG["lr"], alpha=CONFIG["alpha"])

step = 0
for epoch in range(CONFIG["epochs"]):
    perm = torch.randperm(len(x_tr))
    running = []
    for i in range(0, len(x_tr), CONFIG["batch_size"]):
        idx = perm[i:i + CONFIG["batch_size"]]
        loss = pinball(model(x_tr[idx]), y_tr[idx], qs)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running.append(loss.item())
        step += 1
    with torch.no_grad():
        te = pinball(model(x_te), y_te, qs).item()
    print(f"epoch {epoch} steps {step} train pinball {np.mean(running):.4f} "
          f"(max batch {np.max(running):.3f}) test pinball {te:.4f}")

with torch.no_grad():
    pred = model(x_te)
    tr = pinball(model(x_tr), y_tr, qs).item()
    cover = ((y_te >= pred[..., 0]) & (y_te <= pred[..., 2])).float().mean().item()
print(f"final train pinball {tr:.4f} test pinball {te:.4f} 80% interval coverage {cover:.3f}")
