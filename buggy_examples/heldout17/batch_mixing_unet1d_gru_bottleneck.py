"""1-D U-Net-style segmentation of generated drifting signals (conv encoder,
bidirectional GRU context block at 1/4 resolution, conv decoder with skip
connections), RMSprop + StepLR. Each time step is labelled "high" when it lies
above its own recording's mean level, which needs sequence-wide context.

Seeded bug (batch_mixing): the GRU runs sequence-first, so its output has shape
(L/4, B, 2h); it is turned back into channels-first with
seq.reshape(B, -1, L/4) instead of seq.permute(1, 2, 0). The shapes match, but
the reshape interleaves time steps of different recordings, so each sample's
decoder receives context features computed from other samples in the batch
(also at evaluation time).
Measured (7 epochs, 168 steps): buggy train loss 0.39, test pixel accuracy 0.82,
IoU(high) 0.68 (about what the local skip paths alone give); fixed (permute)
train loss 0.086, test pixel accuracy 0.93-0.95, IoU 0.87-0.90.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 21
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

SEQ_LEN = 96


def synth(n):
    """Drifting signals with a large per-recording offset; each time step is
    labelled 'high' if it lies above that recording's own mean level."""
    steps = rng.normal(size=(n, SEQ_LEN)).astype(np.float32)
    kernel = np.hanning(15).astype(np.float32)
    kernel /= kernel.sum()
    walk = np.cumsum(steps, axis=1)
    walk = np.stack([np.convolve(w, kernel, mode="same") for w in walk])
    walk = walk / walk.std(axis=1, keepdims=True)
    offset = rng.normal(scale=2.0, size=(n, 1)).astype(np.float32)
    x = walk + offset + 0.1 * rng.normal(size=walk.shape).astype(np.float32)
    y = (walk > walk.mean(axis=1, keepdims=True)).astype(np.int64)
    return torch.from_numpy(x[:, None, :].astype(np.float32)), torch.from_numpy(y)


def conv_block(c_in, c_out):
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, 5, padding=2), nn.BatchNorm1d(c_out), nn.ReLU(),
        nn.Conv1d(c_out, c_out, 3, padding=1), nn.ReLU(),
    )


class UNet1D(nn.Module):
    def __init__(self, n_classes=2, c=12, rnn_hidden=24):
        super().__init__()
        self.enc1 = conv_block(1, c)
        self.enc2 = conv_block(c, 2 * c)
        # sequence-level context at 1/4 resolution
        self.context = nn.GRU(2 * c, rnn_hidden, bidirectional=True)
        self.dec2 = conv_block(2 * rnn_hidden + 2 * c, 2 * c)
        self.dec1 = conv_block(2 * c + c, c)
        self.out = nn.Conv1d(c, n_classes, 1)

    def forward(self, x):
        B = x.shape[0]
        e1 = self.enc1(x)                         # (B, c, L)
        e2 = self.enc2(F.max_pool1d(e1, 2))       # (B, 2c, L/2)
        z = F.max_pool1d(e2, 2)                   # (B, 2c, L/4)
        seq, _ = self.context(z.permute(2, 0, 1))     # (L/4, B, 2h)
        z = seq.reshape(B, -1, seq.shape[0])          # back to (B, 2h, L/4)
        d2 = self.dec2(torch.cat([F.interpolate(z, scale_factor=2), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2), e1], 1))
        return self.out(d1)                       # (B, n_classes, L)


def segment_metrics(logits, y):
    pred = logits.argmax(1)
    acc = (pred == y).float().mean().item()
    inter = ((pred == 1) & (y == 1)).sum().item()
    union = ((pred == 1) | (y == 1)).sum().item()
    return acc, inter / max(union, 1)


x_train, y_train = synth(768)
x_test, y_test = synth(300)

net = UNet1D()
opt = torch.optim.RMSprop(net.parameters(), lr=2e-3, alpha=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)

BS = 32
for epoch in range(7):
    net.train()
    perm = torch.randperm(len(x_train))
    run = []
    for i in range(0, len(perm), BS):
        b = perm[i:i + BS]
        loss = F.cross_entropy(net(x_train[b]), y_train[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run.append(loss.item())
    sched.step()
    if epoch % 2 == 1 or epoch == 6:
        net.eval()
        with torch.no_grad():
            acc, iou = segment_metrics(net(x_test), y_test)
        print(f"epoch {epoch + 1:2d}  loss {np.mean(run):.4f}  test pixel-acc {acc:.3f}  IoU(high) {iou:.3f}")
