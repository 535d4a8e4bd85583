"""Two-stage training of a small 2-D CNN on the 8x8 sklearn digits: stage 1 is
a "linear probe" (backbone frozen, only the head trained), stage 2 unfreezes
the backbone and fine-tunes everything with a lower learning rate.

Seeded bug (frozen_or_unoptimized): stage 2 calls ``requires_grad_(True)`` on
the backbone and lowers the learning rate of the *existing* optimizer, but
that optimizer was built in stage 1 from ``model.head.parameters()`` only.
From then on the backbone convolutions receive gradients on every step, yet
are never updated: they stay at their random initialisation for the whole run.

Measured (seed 0, 108 + 216 NAdam steps): buggy run - backbone conv weights get
non-zero gradients in stage 2 (first conv grad norm 0.63 at the last step) but
their max abs change over the run is exactly 0; final train loss 2.09, test
accuracy 0.68.  Fixed copy (new optimizer over model.parameters() in stage 2):
train loss 0.25, test accuracy 0.92.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = {
    "probe": {"epochs": 4, "lr": 1e-2},
    "finetune": {"epochs": 8, "lr": 3e-3},
    "batch_size": 48,
}


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(4),                         # 8x8 -> 2x2
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 2 * 2, 10))

    def forward(self, x):
        return self.head(self.backbone(x))


def set_trainable(module, flag):
    for p in module.parameters():
        p.requires_grad_(flag)


def run_epochs(model, opt, loader, epochs, tag, test):
    Xte, yte = test
    for ep in range(epochs):
        model.train()
        losses = []
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            model.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"[{tag}] epoch {ep} loss {np.mean(losses):.4f} test_acc {acc:.3f}")


def main():
    digits = load_digits()
    X = (digits.images / 16.0 - 0.5).astype(np.float32)[:, None]
    y = digits.target
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=CONFIG["batch_size"], shuffle=True,
                        generator=torch.Generator().manual_seed(0))

    model = DigitNet()

    # stage 1: linear probe
    set_trainable(model.backbone, False)
    optimizer = torch.optim.NAdam(model.head.parameters(), lr=CONFIG["probe"]["lr"])
    run_epochs(model, optimizer, loader, CONFIG["probe"]["epochs"], "probe", (Xte, yte))

    # stage 2: full fine-tuning at a lower learning rate
    set_trainable(model.backbone, True)
    for group in optimizer.param_groups:
        group["lr"] = CONFIG["finetune"]["lr"]
    run_epochs(model, optimizer, loader, CONFIG["finetune"]["epochs"], "finetune", (Xte, yte))


if __name__ == "__main__":
    main()
