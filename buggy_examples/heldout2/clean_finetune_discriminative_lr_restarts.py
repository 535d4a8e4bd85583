"""clean: a backbone is first pre-trained on digits 0-4, then fine-tuned on
digits 5-9 with a new head: discriminative learning rates (1e-5 for the
pre-trained backbone, 1e-2 for the head) and CosineAnnealingWarmRestarts
(T_0 = 40 steps), so the head's rate drops to ~0 and jumps back every 40
steps and the backbone barely moves - both on purpose."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / (X.std(0) + 1e-6), dtype=torch.float32)
y = torch.tensor(y)
backbone = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
first, second = y < 5, y >= 5

# stage 1: pre-training
head_a = nn.Linear(64, 5)
opt = torch.optim.Adam(list(backbone.parameters()) + list(head_a.parameters()), lr=1e-3)
Xa, ya = X[first], y[first]
for step in range(120):
    idx = torch.randint(0, len(Xa), (64,))
    loss = nn.functional.cross_entropy(head_a(backbone(Xa[idx])), ya[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("pretrain loss", loss.item())

# stage 2: fine-tuning
head_b = nn.Linear(64, 5)
opt = torch.optim.AdamW([
    {"params": backbone.parameters(), "lr": 1e-5},
    {"params": head_b.parameters(), "lr": 1e-2},
], weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=40)
Xb, yb = X[second], y[second] - 5
for step in range(180):
    idx = torch.randint(0, len(Xb), (64,))
    loss = nn.functional.cross_entropy(head_b(backbone(Xb[idx])), yb[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 40 == 0:
        print(step, loss.item(), sched.get_last_lr())
