"""
Signed-distance implicit field on a generated 2-D shape (union of a circle and a box, exact
SDF, points drawn uniformly in [-1, 1]^2 each step): custom SDFNet with four Softplus(beta=100)
hidden layers of width 64 and a SAL-style geometric init of the output layer (mean
sqrt(pi)/sqrt(64), bias -0.5); L1 regression to the SDF, small Trainer class, Adam lr 1e-3,
StepLR (halve at step 150), batch 256, 300 steps, validation L1 / inside-outside accuracy.

Seeded bug: the hidden layers of the geometric init are set with nn.init.zeros_(lin.weight)
(the author wanted the net to start exactly at the circle SDF given by the output bias) instead
of N(0, sqrt(2)/sqrt(out_features)). Every hidden unit in a layer computes the same value and
receives the same gradient, so the 64-wide layers stay copies of a single unit; the field can
only represent a 1-unit-wide function of the coordinates and never recovers the shape.

Measured (seed 0, 1 thread): buggy: val L1 0.200 (step 50) -> 0.149, inside/outside accuracy
0.805 throughout. Fixed copy (normal init of hidden weights, zero biases): val L1 0.017 ->
0.0063, inside/outside accuracy 0.995.
"""
# traindebug-expect: symmetric_init
import math

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def sdf_shape(p):
    """Signed distance to the union of a circle and a box."""
    c = torch.linalg.norm(p - torch.tensor([-0.35, 0.1]), dim=1) - 0.35
    q = (p - torch.tensor([0.4, -0.2])).abs() - torch.tensor([0.25, 0.4])
    b = torch.linalg.norm(q.clamp(min=0), dim=1) + q.max(dim=1).values.clamp(max=0)
    return torch.minimum(c, b)


class SDFNet(nn.Module):
    def __init__(self, dims=(2, 64, 64, 64, 64, 1), radius=0.5):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.act = nn.Softplus(beta=100)
        # geometric initialisation (SAL): start close to the SDF of a circle
        for lin in self.layers[:-1]:
            nn.init.zeros_(lin.weight)
            nn.init.zeros_(lin.bias)
        last = self.layers[-1]
        nn.init.normal_(last.weight, math.sqrt(math.pi) / math.sqrt(last.in_features), 1e-4)
        nn.init.constant_(last.bias, -radius)

    def forward(self, x):
        for lin in self.layers[:-1]:
            x = self.act(lin(x))
        return self.layers[-1](x)


class Trainer:
    def __init__(self, model, lr=1e-3, steps=300, batch=256):
        self.model, self.steps, self.batch = model, steps, batch
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, step_size=150, gamma=0.5)

    def train_step(self):
        p = torch.rand(self.batch, 2) * 2 - 1
        loss = (self.model(p).squeeze(1) - sdf_shape(p)).abs().mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.sched.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, p_val, d_val):
        pred = self.model(p_val).squeeze(1)
        l1 = (pred - d_val).abs().mean().item()
        sign_acc = ((pred < 0) == (d_val < 0)).float().mean().item()
        return l1, sign_acc

    def fit(self, p_val, d_val):
        for step in range(1, self.steps + 1):
            loss = self.train_step()
            if step % 50 == 0:
                l1, acc = self.evaluate(p_val, d_val)
                print(f"step {step} train_l1 {loss:.4f} val_l1 {l1:.4f} inside/outside acc {acc:.3f}")
        return self.evaluate(p_val, d_val)


g = torch.Generator().manual_seed(1)
p_val = torch.rand(4000, 2, generator=g) * 2 - 1
d_val = sdf_shape(p_val)
model = SDFNet()
l1, acc = Trainer(model).fit(p_val, d_val)
print(f"final val L1 {l1:.4f}, sign accuracy {acc:.3f}")
