"""Hypernetwork that generates the weights of a small 1-24-1 tanh regressor
for a family of sinusoid tasks (amplitude, phase given as the condition).

Seeded bug (frozen_or_unoptimized): the optimizer is built from explicit
parameter groups (a higher lr for the conditioning layer) and the group for
hyper.heads -- the four linear layers that actually emit the generated
weights -- was left out. The heads receive gradients every step but are never
updated, so they stay at their random initialization. Measured (300 AdamW
steps): final validation MSE 0.090 (target variance 0.87) versus 0.012 when
the heads are added to the optimizer.
"""
# traindebug-expect: frozen_or_unoptimized
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

HID = 24  # width of the generated (target) network


class HyperNet(nn.Module):
    """Maps a task descriptor (amplitude, phase) to the weights of a 1-HID-1 MLP."""

    def __init__(self, cond_dim=2, width=64):
        super().__init__()
        self.cond_embed = nn.Linear(cond_dim, width)
        self.trunk = nn.Sequential(nn.SiLU(), nn.Linear(width, width), nn.SiLU())
        self.heads = nn.ModuleDict({
            "w1": nn.Linear(width, HID),
            "b1": nn.Linear(width, HID),
            "w2": nn.Linear(width, HID),
            "b2": nn.Linear(width, 1),
        })
        for h in self.heads.values():
            nn.init.normal_(h.weight, std=0.3 / math.sqrt(width))
            nn.init.zeros_(h.bias)

    def forward(self, cond):
        z = self.trunk(self.cond_embed(cond))
        return {k: h(z) for k, h in self.heads.items()}


def target_forward(params, x):
    # x: (T, N, 1); params generated per task: (T, HID) / (T, 1)
    w1 = params["w1"].unsqueeze(1) * 3.0
    b1 = params["b1"].unsqueeze(1) * 3.0
    h = torch.tanh(x * w1 + b1)                                     # (T, N, HID)
    return (h * params["w2"].unsqueeze(1)).sum(-1, keepdim=True) + params["b2"].unsqueeze(1)


def sample_tasks(n_tasks, n_points, gen):
    amp = torch.rand(n_tasks, 1, generator=gen) * 1.5 + 0.5
    phase = torch.rand(n_tasks, 1, generator=gen) * math.pi
    x = torch.rand(n_tasks, n_points, 1, generator=gen) * 2 * math.pi - math.pi
    y = amp.unsqueeze(1) * torch.sin(x + phase.unsqueeze(1))
    cond = torch.cat([amp, phase / math.pi], dim=1)
    return cond, x, y


hyper = HyperNet()
# slightly larger step for the conditioning layer, as it sees very low-dim inputs
optimizer = torch.optim.AdamW([
    {"params": hyper.cond_embed.parameters(), "lr": 3e-3},
    {"params": hyper.trunk.parameters()},
], lr=1e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=300)

gen = torch.Generator().manual_seed(0)
val_cond, val_x, val_y = sample_tasks(64, 50, torch.Generator().manual_seed(123))
print(f"target variance on val tasks: {val_y.var().item():.4f}")

for step in range(1, 301):
    cond, x, y = sample_tasks(16, 40, gen)
    pred = target_forward(hyper(cond), x)
    loss = F.mse_loss(pred, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    scheduler.step()
    if step % 50 == 0 or step == 1:
        with torch.no_grad():
            vl = F.mse_loss(target_forward(hyper(val_cond), val_x), val_y).item()
        print(f"step {step:3d}  train mse {loss.item():.4f}  val mse {vl:.4f}")

with torch.no_grad():
    vl = F.mse_loss(target_forward(hyper(val_cond), val_x), val_y).item()
print(f"final val mse: {vl:.4f}")
