"""
Small CNN on load_digits with weight-standardised convolutions (WSConv2d: each filter
normalised to zero mean / unit std in forward) + GroupNorm + ReLU, global average pool,
linear head. RMSprop lr 1e-3, StepLR, batch 32, 7 epochs (280 steps).

Seeded bug: WSConv2d.forward standardises self.weight.data instead of self.weight. .data
is a detached view, so the convolution output has no graph back to the conv weights:
all three conv weight tensors never receive a gradient (grad stays None) and remain at
their random init; only the conv biases, GroupNorm affine parameters and the head train.
A realistic copy from older weight-standardisation snippets that used .data.

Measured (seed 0, 1 thread): buggy: train loss 2.303 -> 2.247, test loss 2.246, test acc
0.332. Fixed copy (w = self.weight): train loss 0.307, test loss 0.349, test acc 0.983.
"""
# traindebug-expect: no_gradient_flow
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class WSConv2d(nn.Conv2d):
    """Conv2d with weight standardisation (zero mean, unit variance per output filter)."""

    def forward(self, x):
        w = self.weight.data
        mean = w.mean(dim=(1, 2, 3), keepdim=True)
        std = w.std(dim=(1, 2, 3), keepdim=True) + 1e-5
        return F.conv2d(x, (w - mean) / std, self.bias, self.stride, self.padding)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = WSConv2d(1, 16, 3, padding=1)
        self.gn1 = nn.GroupNorm(4, 16)
        self.conv2 = WSConv2d(16, 32, 3, padding=1)
        self.gn2 = nn.GroupNorm(8, 32)
        self.conv3 = WSConv2d(32, 32, 3, padding=1)
        self.gn3 = nn.GroupNorm(8, 32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.gn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.gn2(self.conv2(x))), 2)
        x = F.relu(self.gn3(self.conv3(x)))
        return self.fc(x.mean(dim=(2, 3)))


def main():
    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
    y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

    model = Net()
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.95)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)

    bs, step = 32, 0
    for epoch in range(7):
        model.train()
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        sched.step()
        model.eval()
        with torch.no_grad():
            tr_loss = F.cross_entropy(model(X_tr), y_tr).item()
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            te_acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch}  step {step}  train loss {tr_loss:.4f}  test loss {te_loss:.4f}  test acc {te_acc:.4f}")
    print(f"final test acc {te_acc:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
