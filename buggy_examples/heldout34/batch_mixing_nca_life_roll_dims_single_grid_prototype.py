"""
Neural cellular automaton that learns Conway's Game of Life from examples. Random 12x12
toroidal grids (alive density drawn from 0.2-0.5 per grid) are generated on the fly and the
exact next generation is the target. Each cell sees its 3x3 neighbourhood (9 channels built with
torch.roll so the grid wraps around), and a shared per-cell MLP (1x1 convolutions, 9 -> 64 ->
64 -> 1, ReLU) predicts the logit of the cell being alive. Adam lr 3e-3, batch 16 grids,
300 steps, BCEWithLogitsLoss; evaluation on 256 fresh grids (cell accuracy and fraction of
grids predicted perfectly).

Seeded bug: `neighbourhood()` was first written for a single (H, W) numpy-style grid and uses
`torch.roll(grid, shifts=(dy, dx), dims=(0, 1))`. After batching the grids to (B, H, W) the
dims were not updated, so the "vertical" shift rolls across the batch dimension and the
"horizontal" shift rolls rows: each cell's neighbours come partly from the neighbouring grid in
the batch. Every sample's prediction depends on the other samples, and the Life rule cannot be
expressed from the wrong neighbourhood. Fix: `dims=(-2, -1)`.

Measured (seed 0, 1 thread): buggy: final train loss 0.564, eval cell acc 0.689, perfect
grids 0.000. Fixed copy: final train loss 0.0012, eval cell acc 1.000, perfect grids 1.000.
"""
# traindebug-expect: batch_mixing
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

GRID = 12
BATCH = 16
STEPS = 300
OFFSETS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


def neighbourhood(grid):
    """Stack the 3x3 neighbourhood of every cell (wrap-around borders) as 9 channels."""
    return torch.stack([torch.roll(grid, shifts=(dy, dx), dims=(0, 1)) for dy, dx in OFFSETS], dim=1)


def exact_life_step(grid):
    # reference implementation used only to build the targets
    nb = sum(torch.roll(grid, shifts=(dy, dx), dims=(-2, -1)) for dy, dx in OFFSETS) - grid
    born = (grid == 0) & (nb == 3)
    survive = (grid == 1) & ((nb == 2) | (nb == 3))
    return (born | survive).float()


def random_grids(n, gen):
    density = 0.2 + 0.3 * torch.rand(n, 1, 1, generator=gen)
    return (torch.rand(n, GRID, GRID, generator=gen) < density).float()


class CellRule(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(9, hidden, 1), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 1), nn.ReLU(),
            nn.Conv2d(hidden, 1, 1),
        )

    def forward(self, grid):
        return self.net(neighbourhood(grid)).squeeze(1)


gen = torch.Generator().manual_seed(0)
model = CellRule()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

t0 = time.time()
for step in range(1, STEPS + 1):
    x = random_grids(BATCH, gen)
    y = exact_life_step(x)
    loss = F.binary_cross_entropy_with_logits(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        print(f"step {step:4d}  bce {loss.item():.4f}")

model.eval()
with torch.no_grad():
    x = random_grids(256, torch.Generator().manual_seed(123))
    y = exact_life_step(x)
    pred = (model(x) > 0).float()
    cell_acc = (pred == y).float().mean().item()
    perfect = (pred == y).flatten(1).all(1).float().mean().item()
print(f"final train loss {loss.item():.4f}  eval cell acc {cell_acc:.3f}  perfect grids {perfect:.3f}")
print(f"time {time.time() - t0:.1f}s")
