"""Clean control: a 1-D CNN is pre-trained on a large synthetic waveform task and then
fine-tuned on a small new task with tiny batches.
Patterns a naive detector might flag but that are legitimate here: during fine-tuning the
backbone's BatchNorm layers are deliberately put back into eval mode after model.train()
(frozen running statistics, the usual practice with batches of 8), so modules are in eval
mode at backward time; the backbone uses a 10x smaller learning rate than the new head;
CrossEntropyLoss uses label_smoothing=0.1, so the training loss has a floor well above 0.
Measured healthy numbers: pre-training val acc 0.984 (120 Adam steps); fine-tuning (180
SGD steps) train loss 0.534 -> 0.296, i.e. at the label-smoothing floor (entropy of the
smoothed target, 0.291 for 3 classes), fine-tuning val accuracy 1.000 from the first epoch.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)
T = 96


def waveforms(n, kinds):
    t = np.linspace(0, 1, T)
    y = rng.integers(0, len(kinds), n)
    X = np.empty((n, T), np.float32)
    for i, k in enumerate(y):
        f = rng.uniform(3, 6)
        ph = rng.uniform(0, 2 * np.pi)
        X[i] = kinds[k](t, f, ph) + rng.normal(0, 0.35, T)
    return torch.from_numpy(X[:, None, :]), torch.from_numpy(y)


SOURCE = [lambda t, f, p: np.sin(2 * np.pi * f * t + p),
          lambda t, f, p: np.sign(np.sin(2 * np.pi * f * t + p)),
          lambda t, f, p: 2 * np.abs(((f * t + p / 6.28) % 1) * 2 - 1) - 1,
          lambda t, f, p: ((f * t + p / 6.28) % 1) * 2 - 1]
TARGET = [lambda t, f, p: 1.5 * np.sin(2 * np.pi * f * t + p) * np.exp(-2 * t),
          lambda t, f, p: np.sin(2 * np.pi * (f * t + 6 * t ** 2) + p),
          lambda t, f, p: 0.5 * (np.sin(2 * np.pi * f * t + p) + np.sign(np.sin(2 * np.pi * f * t + p)))]


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU())

    def forward(self, x):
        h = self.net(x)  # (B, 32, T/4)
        return torch.cat([h.mean(-1), h.amax(-1)], 1)


def accuracy(backbone, head, x, y):
    backbone.eval(); head.eval()
    with torch.no_grad():
        return (head(backbone(x)).argmax(1) == y).float().mean().item()


def set_bn_eval(module):
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


# ---- stage 1: pre-training on the source task -----------------------------------------
backbone = Backbone()
src_head = nn.Linear(64, len(SOURCE))
xs, ys = waveforms(3000, SOURCE)
xs_va, ys_va = waveforms(500, SOURCE)
opt = torch.optim.Adam(list(backbone.parameters()) + list(src_head.parameters()), lr=3e-3)
for epoch in range(3):
    backbone.train(); src_head.train()
    perm = torch.randperm(len(xs))
    for i in range(0, len(xs), 75):
        idx = perm[i:i + 75]
        loss = F.cross_entropy(src_head(backbone(xs[idx])), ys[idx])
        opt.zero_grad(); loss.backward(); opt.step()
print(f"pretrain val_acc {accuracy(backbone, src_head, xs_va, ys_va):.3f}")

# ---- stage 2: fine-tuning on a small target set with tiny batches ----------------------
head = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, len(TARGET)))
xt, yt = waveforms(240, TARGET)
xt_va, yt_va = waveforms(600, TARGET)
opt = torch.optim.SGD([{"params": backbone.parameters(), "lr": 0.003},
                       {"params": head.parameters(), "lr": 0.03}], momentum=0.9)
crit = nn.CrossEntropyLoss(label_smoothing=0.1)
for epoch in range(6):
    backbone.train(); head.train()
    set_bn_eval(backbone)  # keep pre-trained BN statistics; batches of 8 are too small
    perm = torch.randperm(len(xt))
    run = 0.0
    for i in range(0, len(xt), 8):
        idx = perm[i:i + 8]
        loss = crit(head(backbone(xt[idx])), yt[idx])
        opt.zero_grad(); loss.backward(); opt.step()
        run += loss.item() * len(idx)
    print(f"finetune epoch {epoch} train_loss {run / len(xt):.3f} "
          f"val_acc {accuracy(backbone, head, xt_va, yt_va):.3f}")
