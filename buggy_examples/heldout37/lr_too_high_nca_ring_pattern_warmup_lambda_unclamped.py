"""Neural cellular automaton growing a generated 16x16 RGBA pattern from a single seed cell.

Target: a coloured ring with a cross in the middle, drawn with numpy.  State: 12 channels
per cell (RGBA + 8 hidden).  Perception: identity + Sobel-x + Sobel-y depthwise filters
(36 features), update rule: 1x1 conv 36->48, ReLU, 1x1 conv 48->12 (zero-initialised, as
in Mordvintsev et al. 2020), stochastic cell updates (p=0.5) and alive masking.  Each
iteration rolls a batch of 4 seeds for 12-16 steps and regresses RGBA onto the target
(MSE).  Adam (lr 1e-2) with a 10-iteration linear warm-up written as a LambdaLR,
200 iterations, hand-written loop.

Seeded bug: the warm-up lambda is written as `lambda it: (it + 1) / WARMUP` and the
`min(1.0, ...)` clamp was forgotten, so after the warm-up the multiplier keeps growing
linearly: by iteration 80 the rate is 8x the intended 1e-2 and it ends at 0.2 (20x).
The unrolled NCA is very sensitive to the step size: the loss climbs back up from ~0.08
after iteration 80, the alive mask kills every cell and the pattern collapses to empty.
Realistic: warm-up lambdas are hand-written all the time and the clamp is easy to drop.

Measured (seed 0, 1 thread): buggy train loss 0.172 -> 0.084 (iter 80) -> 0.104 (iter 120)
-> 0.173 (iter 199, empty grid), eval MSE 0.173; fixed copy (min(1.0, ...)): train loss
0.172 -> 0.021, eval MSE 0.027.  CPU time ~8.5 s.
"""
# traindebug-expect: lr_too_high
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SIZE, CH, HID = 16, 12, 48
ITERS, BATCH, WARMUP, LR = 200, 4, 10, 1e-2


def make_target(size=SIZE):
    yy, xx = np.mgrid[:size, :size].astype(np.float32)
    c = (size - 1) / 2.0
    r = np.sqrt((yy - c) ** 2 + (xx - c) ** 2)
    img = np.zeros((4, size, size), np.float32)
    ring = (r > 4.0) & (r < 6.5)
    cross = ((np.abs(yy - c) < 1.0) | (np.abs(xx - c) < 1.0)) & (r < 3.5)
    img[0][ring] = 0.9; img[1][ring] = 0.3; img[2][ring] = 0.1
    img[0][cross] = 0.1; img[1][cross] = 0.4; img[2][cross] = 0.9
    img[3][ring | cross] = 1.0
    return torch.from_numpy(img)


class CA(nn.Module):
    def __init__(self, ch=CH, hid=HID):
        super().__init__()
        ident = torch.tensor([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=torch.float32)
        sobel = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=torch.float32) / 8.0
        kernels = torch.stack([ident, sobel, sobel.t()])            # 3 x 3 x 3
        self.register_buffer("kernels", kernels.repeat(ch, 1, 1).unsqueeze(1))  # 3ch x 1 x 3 x 3
        self.ch = ch
        self.w1 = nn.Conv2d(3 * ch, hid, 1)
        self.w2 = nn.Conv2d(hid, ch, 1, bias=False)
        nn.init.zeros_(self.w2.weight)

    def alive(self, x):
        return F.max_pool2d(x[:, 3:4], 3, stride=1, padding=1) > 0.1

    def forward(self, x):
        pre = self.alive(x)
        y = F.conv2d(x, self.kernels, padding=1, groups=self.ch)
        dx = self.w2(F.relu(self.w1(y)))
        mask = (torch.rand(x.shape[0], 1, x.shape[2], x.shape[3]) < 0.5).float()
        x = x + dx * mask
        life = pre & self.alive(x)
        return x * life.float()


def seed_state(n):
    x = torch.zeros(n, CH, SIZE, SIZE)
    x[:, 3:, SIZE // 2, SIZE // 2] = 1.0
    return x


target = make_target()
ca = CA()
opt = torch.optim.Adam(ca.parameters(), lr=LR)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda it: (it + 1) / WARMUP)

t0 = time.process_time()
for it in range(ITERS):
    x = seed_state(BATCH)
    for _ in range(np.random.randint(12, 17)):
        x = ca(x)
    loss = F.mse_loss(x[:, :4], target.expand(BATCH, -1, -1, -1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if it % 40 == 0 or it == ITERS - 1:
        print(f"iter {it:4d}  loss {loss.item():.5f}  lr {sched.get_last_lr()[0]:.2e}")

with torch.no_grad():
    torch.manual_seed(123)
    x = seed_state(8)
    for _ in range(14):
        x = ca(x)
    final = F.mse_loss(x[:, :4], target.expand(8, -1, -1, -1)).item()
print(f"final eval MSE after 14 steps: {final:.5f}")
print(f"cpu time {time.process_time() - t0:.1f}s")
