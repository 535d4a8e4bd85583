"""Healthy control: 2-D CNN with BatchNorm on the sklearn digits, trained with mixup
(alpha 0.4) and label smoothing 0.1, AdamW.

Pattern that may fool a naive detector: the training loss is computed on mixed images
against two smoothed targets, so it has a high floor and plateaus around 1.0 (and
fluctuates with the sampled mixup coefficient) while the model is in fact fitting
well; the test cross-entropy on clean images is much lower than the training loss.

Measured (280 steps): mixup training loss 1.70 -> 0.99-1.11, test CE 0.70 -> 0.21-0.26,
test acc 0.956 -> 0.967-0.991."""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = {
    "mixup_alpha": 0.4,
    "label_smoothing": 0.1,
    "optim": {"lr": 3e-3, "weight_decay": 5e-4},
    "batch_size": 32,
    "epochs": 7,
}


class DigitNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.body(x))


def mixup(x, y, alpha, gen):
    lam = float(np.random.beta(alpha, alpha))
    perm = torch.randperm(len(x), generator=gen)
    return lam * x + (1 - lam) * x[perm], y, y[perm], lam


def main():
    d = load_digits()
    X = (d.images / 16.0).astype(np.float32)[:, None]
    Xtr, Xte, ytr, yte = train_test_split(X, d.target, test_size=0.3, random_state=0, stratify=d.target)
    mean, std = Xtr.mean(), Xtr.std()
    Xtr, Xte = torch.from_numpy((Xtr - mean) / std), torch.from_numpy((Xte - mean) / std)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

    model = DigitNet()
    opt = torch.optim.AdamW(model.parameters(), **CFG["optim"])
    crit = nn.CrossEntropyLoss(label_smoothing=CFG["label_smoothing"])
    g = torch.Generator().manual_seed(0)
    bs = CFG["batch_size"]
    step = 0
    for epoch in range(CFG["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        tot = 0.0
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            xb, ya, yb, lam = mixup(Xtr[idx], ytr[idx], CFG["mixup_alpha"], g)
            out = model(xb)
            loss = lam * crit(out, ya) + (1 - lam) * crit(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            step += 1
        model.eval()
        with torch.no_grad():
            logits = model(Xte)
            test_loss = F.cross_entropy(logits, yte).item()
            acc = (logits.argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch} step {step} mixup_train_loss {tot / len(Xtr):.4f} "
              f"test_ce {test_loss:.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    main()
