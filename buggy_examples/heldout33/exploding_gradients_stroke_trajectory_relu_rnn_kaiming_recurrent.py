"""
Elman RNN (ReLU, hidden 64) reading generated 2-D pen-stroke trajectories (circle, spiral,
zig-zag, figure-eight; 60 points each, random scale/rotation/speed, step increments as input) and
classifying the stroke type from the last hidden state. Adam lr 2e-3, batch 32,
6 epochs (168 steps), hand-written loop, gradient-norm logging.

Seeded bug: the author's init helper applies nn.init.kaiming_normal_(nonlinearity='relu') to every
weight of the RNN, the recurrent matrix weight_hh included. He init is derived for a feed-forward
layer; as a 64x64 recurrent matrix (std sqrt(2/64)) its spectral radius is ~1.4, so through the
60 time steps the backward pass multiplies by it again and again and the gradient norm is ~1e4 at
the first step (three orders of magnitude above the fixed copy; the hidden state and logits also
grow along the sequence). The huge first updates wreck the recurrent weights and accuracy stalls.

Measured (seed 0, 1 thread): buggy: grad norm at step 0 1.5e4 (loss 207), final loss 1.197, test acc 0.433.
Fixed copy (weight_hh = 0.9 * identity, rest unchanged): grad norm at step 0 12.7 (loss 1.90),
final loss 0.009, test acc 1.000.
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

SEQ_LEN, N_TRAIN, N_TEST = 60, 900, 300


def make_stroke(kind):
    t = np.linspace(0, 1, SEQ_LEN) ** rng.uniform(0.8, 1.25)
    if kind == 0:
        xy = np.stack([np.cos(2 * np.pi * t), np.sin(2 * np.pi * t)], 1)
    elif kind == 1:
        r = 0.2 + 0.8 * t
        xy = np.stack([r * np.cos(4 * np.pi * t), r * np.sin(4 * np.pi * t)], 1)
    elif kind == 2:
        xy = np.stack([2 * t - 1, 0.5 * np.abs((6 * t) % 2 - 1)], 1)
    else:
        xy = np.stack([np.sin(2 * np.pi * t), np.sin(4 * np.pi * t) / 2], 1)
    a = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    xy = xy @ rot.T * rng.uniform(0.5, 1.5) + 0.01 * rng.normal(size=xy.shape)
    return np.diff(xy, axis=0, prepend=xy[:1]) * 3.0


def make_set(n):
    y = rng.integers(0, 4, n)
    x = np.stack([make_stroke(k) for k in y]).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


class StrokeRNN(nn.Module):
    def __init__(self, hidden=64, n_classes=4):
        super().__init__()
        self.rnn = nn.RNN(2, hidden, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.rnn.named_parameters():
            if "weight" in name:
                nn.init.kaiming_normal_(p, nonlinearity="relu")
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1])


def grad_norm(model):
    return math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.parameters() if p.grad is not None))


xtr, ytr = make_set(N_TRAIN)
xte, yte = make_set(N_TEST)
model = StrokeRNN()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)

step = 0
for epoch in range(6):
    perm = torch.randperm(N_TRAIN)
    losses = []
    for i in range(0, N_TRAIN - 31, 32):
        idx = perm[i:i + 32]
        loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        gn = grad_norm(model)
        opt.step()
        losses.append(loss.item())
        if step % 40 == 0:
            print(f"step {step:4d} loss {loss.item():.4g} grad norm {gn:.3g}")
        step += 1
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch} mean loss {np.mean(losses):.4g} test acc {acc:.3f}")
print(f"final train loss {np.mean(losses):.4g} test acc {acc:.3f}")
