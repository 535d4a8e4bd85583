"""Transfer-learning pipeline on sklearn digits: a small MLP backbone (with BatchNorm)
is pretrained on digits 0-7 (88 steps), then reused for an imbalanced downstream
detector "is it a 9?" (10% positives): a linear probe on the frozen backbone
(95 steps, Adam) followed by full fine-tuning with per-group learning rates
(152 steps, AdamW). 335 optimizer steps in total.

Healthy control. Patterns a naive detector might flag: (1) during the probe stage
the backbone parameters have requires_grad=False and receive no gradient, and the
backbone's BatchNorm is deliberately kept in eval mode while the head trains;
(2) the pretraining head stays in the model but is unused (and gets no gradient)
downstream; (3) the label distribution is 90/10 and BCEWithLogitsLoss uses
pos_weight = 8.98, so the raw loss values look large early on; (4) three different
optimizers over the run. Measured: pretraining loss -> 0.021; test balanced
accuracy 0.555 (random head) -> 0.775 after the probe -> 0.978 after fine-tuning,
F1 0.954, final batch loss 0.011.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(2)
np.random.seed(2)


class Backbone(nn.Module):
    def __init__(self, d_in=64, width=96, d_out=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Linear(width, d_out), nn.ReLU(),
        )

    def forward(self, x):
        return self.body(x)


class TransferNet(nn.Module):
    """Backbone + the head it was pretrained with + a new binary detector head."""

    def __init__(self, n_pretrain_classes):
        super().__init__()
        self.backbone = Backbone()
        self.pretrain_head = nn.Linear(32, n_pretrain_classes)
        self.detector = nn.Linear(32, 1)

    def forward(self, x, task="detect"):
        h = self.backbone(x)
        if task == "pretrain":
            return self.pretrain_head(h)
        return self.detector(h).squeeze(-1)


def batches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    for s in range(0, n - bs + 1, bs):
        yield perm[s:s + bs]


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        pred = (model(X) > 0).long().numpy()
    model.train()
    return balanced_accuracy_score(y, pred), f1_score(y, pred)


def main():
    X, y = load_digits(return_X_y=True)
    X = torch.from_numpy((X / 16.0).astype(np.float32))
    y = torch.from_numpy(y)
    gen = torch.Generator().manual_seed(0)

    # ---- stage 0: "upstream" pretraining on digits 0-7 ----
    up = y < 8
    Xu, yu = X[up], y[up]
    model = TransferNet(n_pretrain_classes=8)
    opt = torch.optim.Adam(list(model.backbone.parameters()) + list(model.pretrain_head.parameters()), lr=3e-3)
    for epoch in range(4):
        for idx in batches(len(Xu), 64, gen):
            loss = F.cross_entropy(model(Xu[idx], task="pretrain"), yu[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    print(f"pretrain done, last loss {loss.item():.3f}")

    # ---- downstream: detect the digit 9 (about 10% positives) ----
    yd = (y == 9).long()
    Xtr, Xte, ytr, yte = train_test_split(X.numpy(), yd.numpy(), test_size=0.3,
                                          random_state=0, stratify=yd.numpy())
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr_f = torch.from_numpy(ytr).float()
    pos_weight = torch.tensor((ytr == 0).sum() / (ytr == 1).sum(), dtype=torch.float32)
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    print(f"positives {ytr.mean():.3f}, pos_weight {pos_weight.item():.2f}")
    print("before probe: balanced acc %.3f  f1 %.3f" % evaluate(model, Xte, yte))

    # stage 1: linear probe, backbone frozen (BN kept in eval so its stats stay put)
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    probe_opt = torch.optim.Adam(model.detector.parameters(), lr=1e-2)
    for epoch in range(5):
        model.train()
        model.backbone.eval()
        for idx in batches(len(Xtr), 64, gen):
            loss = criterion(model(Xtr[idx]), ytr_f[idx])
            probe_opt.zero_grad()
            loss.backward()
            probe_opt.step()
    print("after probe : balanced acc %.3f  f1 %.3f  (loss %.3f)" % (*evaluate(model, Xte, yte), loss.item()))

    # stage 2: full fine-tuning with a smaller lr on the backbone
    for p in model.backbone.parameters():
        p.requires_grad_(True)
    ft_opt = torch.optim.AdamW([
        {"params": model.backbone.parameters(), "lr": 1e-3},
        {"params": model.detector.parameters(), "lr": 3e-3},
    ], weight_decay=1e-4)
    model.train()
    for epoch in range(8):
        for idx in batches(len(Xtr), 64, gen):
            loss = criterion(model(Xtr[idx]), ytr_f[idx])
            ft_opt.zero_grad()
            loss.backward()
            ft_opt.step()
    print("after FT    : balanced acc %.3f  f1 %.3f  (loss %.3f)" % (*evaluate(model, Xte, yte), loss.item()))


if __name__ == "__main__":
    main()
