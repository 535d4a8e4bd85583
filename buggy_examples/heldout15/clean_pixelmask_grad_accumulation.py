"""Per-pixel foreground segmentation of 8x8 digit images from noise-corrupted
inputs: an MLP maps the flattened image to one logit per pixel, reshaped to a
(B, 1, 8, 8) mask map; hyper-parameters in a plain config dict.

Clean control. Pattern a naive detector might flag: deliberate gradient
accumulation. Each micro-batch of 16 calls backward() without zeroing, so
.grad is non-zero before backward on 3 of every 4 backward calls; the
optimizer steps and zeroes every accum_steps=4 micro-batches (effective batch
64). Also a 4-D output fed to BCEWithLogitsLoss (shapes match exactly).

Measured (207 optimizer steps / 828 micro-batches): train BCE 0.69 at init ->
0.214, val BCE 0.228, val foreground IoU 0.770, pixel accuracy 0.903.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

torch.manual_seed(0)
torch.set_num_threads(1)

cfg = dict(hidden=[128, 128], lr=2e-3, micro_batch=16, accum_steps=4, epochs=9,
           noise=0.35, fg_thresh=0.35)

# per-pixel foreground masks of 8x8 digit images, predicted from corrupted inputs
imgs = torch.tensor(load_digits().images / 16.0, dtype=torch.float32)   # (N, 8, 8)
g = torch.Generator().manual_seed(0)
noisy = imgs + cfg["noise"] * torch.randn(imgs.shape, generator=g)
masks = (imgs > cfg["fg_thresh"]).float()
X_tr, Y_tr = noisy[:1500, None], masks[:1500, None]
X_va, Y_va = noisy[1500:, None], masks[1500:, None]


class PixelMaskNet(nn.Module):
    """Flatten -> MLP -> one logit per pixel, returned as a (B, 1, 8, 8) map."""

    def __init__(self, hidden):
        super().__init__()
        dims = [64] + hidden
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.body = nn.Sequential(nn.Flatten(), *layers, nn.Linear(dims[-1], 64))

    def forward(self, x):
        return self.body(x).view(-1, 1, 8, 8)


model = PixelMaskNet(cfg["hidden"])
criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
mb, accum = cfg["micro_batch"], cfg["accum_steps"]

step = 0
for epoch in range(cfg["epochs"]):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    opt.zero_grad()
    for k, i in enumerate(range(0, len(perm) - mb + 1, mb)):
        b = perm[i:i + mb]
        loss = criterion(model(X_tr[b]), Y_tr[b])
        (loss / accum).backward()          # gradients accumulate over micro-batches
        tot += loss.item() * len(b)
        if (k + 1) % accum == 0:
            opt.step()
            opt.zero_grad()
            step += 1
    if epoch % 3 == 2:
        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            va_loss = criterion(logits, Y_va).item()
            pred = logits > 0
            tgt = Y_va > 0.5
            iou = ((pred & tgt).sum() / (pred | tgt).sum()).item()
            pix_acc = (pred == tgt).float().mean().item()
        print(f"epoch {epoch:2d} opt_step {step} train_bce {tot / len(X_tr):.4f} "
              f"val_bce {va_loss:.4f} val_IoU {iou:.3f} pixel_acc {pix_acc:.3f}")
