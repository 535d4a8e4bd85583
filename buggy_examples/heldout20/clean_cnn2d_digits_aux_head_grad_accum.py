"""Healthy control: small 2-D CNN on 8x8 load_digits with deep supervision.

Legitimate patterns that may fool a naive detector: gradients are deliberately
accumulated over 4 micro-batches (zero_grad only after each optimizer step, loss
divided by ACCUM_STEPS), an auxiliary classifier on block1 features adds a weighted
second loss term, and forward returns a tuple only in train mode (aux head is unused
in eval).

Measured (10 epochs, 210 optimizer updates): test accuracy 0.90 after 50 updates,
0.956 after 200; combined (main + 0.3*aux) loss falls from ~3.0 (1.3*ln10) to ~0.7.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(9)

ACCUM_STEPS = 4      # effective batch = 4 x 16
AUX_WEIGHT = 0.3


class DeepSupervisedCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                                    nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.block2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.aux_head = nn.Linear(16, n_classes)    # auxiliary classifier on block1 features
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
                                  nn.Linear(64, n_classes))

    def forward(self, x):
        h1 = self.block1(x)
        out = self.head(self.block2(h1))
        if self.training:
            return out, self.aux_head(h1.mean(dim=(2, 3)))
        return out


class PrintEvery:
    def __init__(self, every):
        self.every = every

    def __call__(self, step, logs):
        if step % self.every == 0:
            print(f"update {step:3d} " + " ".join(f"{k} {v:.4f}" for k, v in logs.items()))


digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=9, stratify=y)

model = DeepSupervisedCNN()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
callbacks = [PrintEvery(50)]

update = 0
micro = 0
opt.zero_grad()
for epoch in range(10):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr) - 15, 16):
        idx = perm[i:i + 16]
        logits, aux_logits = model(Xtr[idx])
        loss = F.cross_entropy(logits, ytr[idx]) + AUX_WEIGHT * F.cross_entropy(aux_logits, ytr[idx])
        (loss / ACCUM_STEPS).backward()
        micro += 1
        if micro % ACCUM_STEPS == 0:
            opt.step()
            opt.zero_grad()
            update += 1
            if update % 50 == 0:
                model.eval()
                with torch.no_grad():
                    acc = (model(Xte).argmax(1) == yte).float().mean().item()
                model.train()
                for cb in callbacks:
                    cb(update, {"loss": loss.item(), "test_acc": acc})
print(f"finished: {update} optimizer updates")
