"""Small ResNet (stem + 2 BasicBlocks with BatchNorm, global average pooling) on
the 8x8 sklearn digits images, SGD + momentum with cosine annealing and a
random-shift augmentation.

Seeded bug (symmetric_init): init_params() walks named_parameters() and treats
every remaining ".weight" as a batch-norm scale, so all conv kernels are set to
1.0 as well (the classifier head is zero-initialised on purpose). Every channel
of every conv layer computes the same function, the zero head gives every
channel the same gradient, and the symmetry is never broken: the network
behaves like a 1-channel ResNet.

Measured (10 epochs, 220 steps): train loss 2.27 -> 2.18, test accuracy 0.19 at
the end. With Kaiming-normal conv weights (same zero head): train loss 0.26,
test loss 0.21, test accuracy 0.96.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


class DigitsDataset(Dataset):
    def __init__(self, images, labels, augment=False):
        self.x = torch.tensor(images / 16.0, dtype=torch.float32).unsqueeze(1)
        self.y = torch.tensor(labels, dtype=torch.long)
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            dx, dy = np.random.randint(-1, 2, size=2)
            x = torch.roll(x, shifts=(int(dy), int(dx)), dims=(1, 2))
        return (x - 0.3) / 0.4, self.y[i]


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class TinyResNet(nn.Module):
    def __init__(self, num_classes=10, width=16):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.layer1 = BasicBlock(width, width)
        self.layer2 = BasicBlock(width, 2 * width, stride=2)
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def init_params(model):
    for name, p in model.named_parameters():
        if name.startswith("fc."):
            nn.init.zeros_(p)  # zero-initialised classifier head
        elif name.endswith("bias"):
            nn.init.zeros_(p)
        else:
            nn.init.ones_(p)  # batch-norm scales


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    tot_loss, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot_loss / n, correct / n


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    digits = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(digits.images, digits.target, test_size=0.25,
                                          random_state=0, stratify=digits.target)
    train_dl = DataLoader(DigitsDataset(Xtr, ytr, augment=True), batch_size=64, shuffle=True)
    test_dl = DataLoader(DigitsDataset(Xte, yte), batch_size=256)

    model = TinyResNet()
    init_params(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for epoch in range(10):
        tl, ta = run_epoch(model, train_dl, opt)
        vl, va = run_epoch(model, test_dl)
        sched.step()
        print(f"[{epoch + 1:02d}/10] train {tl:.3f}/{ta:.3f}  test {vl:.3f}/{va:.3f}")


if __name__ == "__main__":
    main()
