"""Small ResNet with GroupNorm on 8x8 digits, trained with batch size 4.

Healthy control.  Patterns that may fool a naive detector: a batch size of 4
makes the per-step loss very noisy (single-step losses range from 0.06 to 4.4
within one 100-step window), the lr is fairly large for SGD (0.1 with momentum,
cosine-annealed), and the last GroupNorm gamma in every residual branch is
zero-initialised on purpose (blocks start as identity, so those branches'
conv2 weights get zero gradient at step 0).  GroupNorm does not use batch
statistics, so the tiny batch is legitimate.
Measured over 400 steps: mean train loss per 100-step window 2.38 -> 1.79 ->
0.92 -> 0.43; test acc 0.181 -> 0.620 -> 0.837 -> 0.917.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(6)
torch.set_num_threads(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=6, stratify=y)
mu, sd = X_tr.mean(), X_tr.std()
X_tr = torch.from_numpy((X_tr - mu) / sd).unsqueeze(1)
X_te = torch.from_numpy((X_te - mu) / sd).unsqueeze(1)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1, groups=8):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.gn1 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.gn2 = nn.GroupNorm(groups, cout)
        self.short = nn.Identity()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.GroupNorm(groups, cout))

    def forward(self, x):
        out = F.relu(self.gn1(self.conv1(x)))
        out = self.gn2(self.conv2(out))
        return F.relu(out + self.short(x))


class TinyResNet(nn.Module):
    def __init__(self, c=32):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, c, 3, padding=1, bias=False), nn.GroupNorm(8, c), nn.ReLU())
        self.layer1 = BasicBlock(c, c)
        self.layer2 = BasicBlock(c, 2 * c, stride=2)
        self.fc = nn.Linear(2 * c, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        # zero-init the last norm in each residual branch so blocks start as identity
        for blk in (self.layer1, self.layer2):
            nn.init.zeros_(blk.gn2.weight)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(x.mean(dim=(2, 3)))


model = TinyResNet()
# batch size 4: GroupNorm does not depend on batch statistics, so tiny batches are fine
bs = 4
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
total_steps = 400
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)

step = 0
window = []
perm = torch.randperm(X_tr.shape[0])
while step < total_steps:
    idx = perm[(step * bs) % len(perm):(step * bs) % len(perm) + bs]
    model.train()
    loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    window.append(loss.item())
    step += 1
    if step % 100 == 0:
        model.eval()
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"step {step} mean loss (last 100) {np.mean(window):.3f} "
              f"min/max {min(window):.3f}/{max(window):.3f} test acc {acc:.3f}")
        window = []
