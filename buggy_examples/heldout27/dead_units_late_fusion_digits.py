"""
Seeded bug: init_weights() zero-initialises the gamma of *every* BatchNorm layer
(the "zero-init the last BN of each residual block" trick, applied blanket-wise
to a plain conv stack). In the image branch each BatchNorm2d feeds a ReLU, so
its output is exactly beta = 0, the ReLU is 0 for every sample and its local
gradient is 0 too: every conv channel of the image branch is a dead unit from
step 0 and never recovers. The tabular branch still trains, so the loss falls
and nothing crashes, but the model only sees the crude tabular summaries.
Measured (seed 0, 180 AdamW steps): test accuracy 0.663 / test loss 0.97 (buggy)
vs 0.980 / 0.09 when gamma is left at 1;
100% of image-branch ReLU outputs are zero throughout training.
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)


def tabular_summary(img, rng):
    """Coarse hand-made descriptors per digit, plus acquisition noise."""
    q = img.reshape(-1, 2, 4, 2, 4).sum(axis=(2, 4)).reshape(len(img), -1)   # 4 quadrant ink totals
    rows = img.sum(axis=2)[:, ::2]                                           # every other row profile
    ink = img.sum(axis=(1, 2))[:, None]
    feats = np.concatenate([q, rows, ink], 1)
    return feats + rng.normal(scale=0.35 * feats.std(0), size=feats.shape)


class DigitsWithMeta(Dataset):
    def __init__(self, images, meta, labels):
        self.images = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 16.0
        self.meta = torch.tensor(meta, dtype=torch.float32)
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"image": self.images[i], "meta": self.meta[i], "label": self.labels[i]}


class ImageBranch(nn.Module):
    def __init__(self, ch=8, out=32):
        super().__init__()
        self.c1 = nn.Conv2d(1, ch, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(ch)
        self.c2 = nn.Conv2d(ch, 2 * ch, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(2 * ch)
        self.proj = nn.Linear(2 * ch * 4 * 4, out)

    def forward(self, x):
        x = F.relu(self.b1(self.c1(x)))
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)
        return self.proj(x.flatten(1))


class TabBranch(nn.Module):
    def __init__(self, d_in, out=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 32), nn.ReLU(), nn.Linear(32, out))

    def forward(self, x):
        return self.net(x)


class LateFusion(nn.Module):
    def __init__(self, d_meta, n_cls=10):
        super().__init__()
        self.img = ImageBranch()
        self.tab = TabBranch(d_meta)
        self.head = nn.Sequential(nn.ReLU(), nn.Dropout(0.1), nn.Linear(32 + 16, 64), nn.ReLU(), nn.Linear(64, n_cls))

    def forward(self, image, meta):
        return self.head(torch.cat([self.img(image), self.tab(meta)], dim=1))


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.zeros_(m.weight)
        nn.init.zeros_(m.bias)


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    correct, total, loss_sum = 0, 0, 0.0
    with torch.set_grad_enabled(train):
        for batch in loader:
            logits = model(batch["image"], batch["meta"])
            loss = F.cross_entropy(logits, batch["label"])
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            loss_sum += loss.item() * len(batch["label"])
            correct += (logits.argmax(1) == batch["label"]).sum().item()
            total += len(batch["label"])
    return loss_sum / total, correct / total


def main():
    digits = load_digits()
    rng = np.random.default_rng(0)
    meta = tabular_summary(digits.images, rng)
    Xi_tr, Xi_te, M_tr, M_te, y_tr, y_te = train_test_split(
        digits.images, meta, digits.target, test_size=0.3, random_state=0, stratify=digits.target)
    scaler = StandardScaler().fit(M_tr)
    train_ds = DigitsWithMeta(Xi_tr, scaler.transform(M_tr), y_tr)
    test_ds = DigitsWithMeta(Xi_te, scaler.transform(M_te), y_te)
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
    test_dl = DataLoader(test_ds, batch_size=256)

    model = LateFusion(meta.shape[1])
    model.apply(init_weights)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    for epoch in range(1, 10):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        sched.step()
        if epoch % 3 == 0:
            te_loss, te_acc = run_epoch(model, test_dl)
            print(f"epoch {epoch:2d}  train loss {tr_loss:.4f} acc {tr_acc:.3f}  test loss {te_loss:.4f} acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
