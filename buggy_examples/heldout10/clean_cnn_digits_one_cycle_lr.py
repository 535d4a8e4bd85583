"""Healthy control: small 2-D CNN with BatchNorm on sklearn digits (8x8), SGD+Nesterov with OneCycleLR (max_lr=1.0).

Pattern that may fool a naive detector: the one-cycle schedule ramps the learning rate up to 1.0,
so the training loss temporarily rises and test accuracy dips while the rate is near its peak
(large update/weight ratios, a loss spike). As the rate anneals the model converges normally.
This is intended behaviour, not a learning-rate bug.

Measured (8 epochs, 176 steps): 11-step average loss 2.19 -> 0.26 (step 44), rises to 1.65 at
the lr peak (step 55) and 0.59 at step 121, then falls to 0.07-0.10; test accuracy dips
0.61 -> 0.40 at epoch 3 and finishes at 0.976.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(4)
torch.set_num_threads(2)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)
X = (X - X.mean()) / X.std()
Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.25, random_state=4,
                                      stratify=digits.target)
Xtr = torch.from_numpy(Xtr).unsqueeze(1)
Xte = torch.from_numpy(Xte).unsqueeze(1)
ytr = torch.from_numpy(ytr)
yte = torch.from_numpy(yte)


class SmallConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(),
            nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(32, 10)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


model = SmallConvNet()
EPOCHS, BATCH = 8, 64
steps_per_epoch = (len(Xtr) + BATCH - 1) // BATCH
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=EPOCHS,
                                            steps_per_epoch=steps_per_epoch, pct_start=0.3)

step = 0
window = []
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        window.append(loss.item())
        if step % 11 == 0:
            print(f"step {step:3d}  lr {sched.get_last_lr()[0]:.3f}  loss(avg11) {np.mean(window):.4f}")
            window = []
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"== epoch {epoch}  test_acc {acc:.4f}")
