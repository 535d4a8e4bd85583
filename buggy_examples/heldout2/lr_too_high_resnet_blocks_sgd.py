"""Seeded bug: a small ResNet-style network (conv + BatchNorm residual blocks)
on generated 12x12 four-pattern images, trained with SGD + momentum 0.9.
The learning rate follows the linear scaling rule lr = base_lr * batch / 256
but the "/ 256" was forgotten, so lr = 0.1 * 64 = 6.4: BatchNorm keeps the
convolutions alive for a while, then the loss jumps between ~1 and 1e4 (measured);
with lr = 0.025 the same run reaches a loss of ~0.001."""
# traindebug-expect: lr_too_high
import argparse

import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


class SmallResNet(nn.Module):
    def __init__(self, classes=4, ch=16):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, ch, 3, padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU())
        self.blocks = nn.Sequential(Block(ch), Block(ch))
        self.head = nn.Linear(ch, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))


def make_images(n, gen):
    """Four classes: horizontal, vertical, diagonal stripes, or a blob, plus noise."""
    y = torch.randint(0, 4, (n,), generator=gen)
    ii, jj = torch.meshgrid(torch.arange(12.0), torch.arange(12.0), indexing="ij")
    patterns = torch.stack([torch.sin(ii), torch.sin(jj), torch.sin(ii + jj),
                            torch.exp(-((ii - 6) ** 2 + (jj - 6) ** 2) / 8)])
    x = patterns[y] + 0.5 * torch.randn(n, 12, 12, generator=gen)
    return x.unsqueeze(1), y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-lr", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    x, y = make_images(4096, gen)
    model = SmallResNet()
    lr = args.base_lr * args.batch_size  # BUG: linear scaling rule without "/ 256"
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    for step in range(args.steps):
        idx = torch.randint(0, len(x), (args.batch_size,))
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
