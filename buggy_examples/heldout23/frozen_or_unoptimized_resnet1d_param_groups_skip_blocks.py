"""ResNet-style 1-D CNN (stem conv + three custom ResidualBlock1d stages in an
nn.ModuleList + linear head) on synthetic burst-pattern sensor traces, SGD with
Nesterov momentum and CosineAnnealingWarmRestarts (T_0=3, T_mult=2),
9 epochs x 20 steps.

Seeded bug: the optimizer is built from explicit parameter groups (stem with
weight decay, head without) and the residual stages `model.blocks` were left
out of the list. All conv/BN affine parameters of the residual blocks get a
.grad on every backward but are never stepped, so they keep their random
initial values; only the stem and the head learn.

Measured (CPU, seed fixed): buggy final train loss/acc 0.674/0.772, val acc
0.750; with a third group {"params": model.blocks.parameters()}: train
loss/acc 0.092/0.969, val acc 0.950.
"""
# traindebug-expect: frozen_or_unoptimized
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(7)

SEQ_LEN = 64
N_CLASSES = 5


def synth_signals(n, gen):
    """Noisy 1-D 'sensor' traces: each class is a different burst pattern."""
    t = torch.linspace(0, 1, SEQ_LEN)
    y = torch.randint(0, N_CLASSES, (n,), generator=gen)
    x = torch.zeros(n, 1, SEQ_LEN)
    for i in range(n):
        c = int(y[i])
        center = 0.2 + 0.6 * torch.rand(1, generator=gen).item()
        width = 0.05 + 0.03 * c
        env = torch.exp(-((t - center) ** 2) / (2 * width ** 2))
        freq = 6 + 3 * (c % 3)
        sig = env * torch.sin(2 * math.pi * freq * t + 6.28 * torch.rand(1, generator=gen).item())
        if c >= 3:
            sig = sig.abs()
        x[i, 0] = sig + 0.35 * torch.randn(SEQ_LEN, generator=gen)
    return x, y


class ResidualBlock1d(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv1d(c_in, c_out, 5, stride=stride, padding=2, bias=False)
        self.bn1 = nn.BatchNorm1d(c_out)
        self.conv2 = nn.Conv1d(c_out, c_out, 5, padding=2, bias=False)
        self.bn2 = nn.BatchNorm1d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv1d(c_in, c_out, 1, stride=stride, bias=False),
                nn.BatchNorm1d(c_out),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet1d(nn.Module):
    def __init__(self, widths=(8, 16, 32), n_classes=N_CLASSES):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv1d(1, widths[0], 7, padding=3, bias=False),
            nn.BatchNorm1d(widths[0]),
            nn.ReLU(),
        )
        chans = [widths[0]] + list(widths)
        self.blocks = nn.ModuleList([
            ResidualBlock1d(chans[i], chans[i + 1], stride=1 if i == 0 else 2)
            for i in range(len(widths))
        ])
        self.head = nn.Linear(widths[-1], n_classes)

    def forward(self, x):
        x = self.stem(x)
        for blk in self.blocks:
            x = blk(x)
        return self.head(x.mean(dim=-1))


def run_epoch(model, loader, opt=None, sched=None, epoch=0):
    train = opt is not None
    model.train(train)
    total, correct, loss_sum = 0, 0, 0.0
    n_batches = len(loader)
    for it, (xb, yb) in enumerate(loader):
        with torch.set_grad_enabled(train):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
        if train:
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step(epoch + it / n_batches)
        loss_sum += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss_sum / total, correct / total


def main():
    gen = torch.Generator().manual_seed(0)
    x_tr, y_tr = synth_signals(960, gen)
    x_va, y_va = synth_signals(320, gen)
    train_dl = DataLoader(TensorDataset(x_tr, y_tr), batch_size=48, shuffle=True)
    val_dl = DataLoader(TensorDataset(x_va, y_va), batch_size=200)

    model = ResNet1d()
    opt = torch.optim.SGD([
        {"params": model.stem.parameters()},
        {"params": model.head.parameters(), "weight_decay": 0.0},
    ], lr=0.05, momentum=0.9, weight_decay=1e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=1e-4)

    epochs = 9
    for ep in range(epochs):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt, sched, ep)
        va_loss, va_acc = run_epoch(model, val_dl)
        print(f"epoch {ep:2d} lr {opt.param_groups[0]['lr']:.4f} "
              f"train {tr_loss:.3f}/{tr_acc:.3f}  val {va_loss:.3f}/{va_acc:.3f}")


if __name__ == "__main__":
    main()
