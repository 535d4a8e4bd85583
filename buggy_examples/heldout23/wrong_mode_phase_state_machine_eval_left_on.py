"""Tabular 4-class classifier (make_classification, 500 training rows, 40
standardised features) with a BatchNorm + Dropout(0.5) MLP. Training is driven
by a small state machine: PHASES = {warmup -> train -> finetune}, each with its
own step count and linear lr ramp, Adam, 300 steps in total; after every phase
the model is evaluated on the train and validation sets.

Seeded bug: `model.train()` is called once before the state machine starts, but
`evaluate()` switches the model to eval mode at the end of each phase and
nothing switches it back. Only the 30 warmup steps run in train mode; the
'train' and 'finetune' phases (270 steps) run forward/backward with Dropout
disabled and BatchNorm normalising with running statistics frozen at their
end-of-warmup values.

Measured: buggy run ends with train loss 0.0047 (acc 1.000) but val loss
1.648, val acc 0.641; with `model.train()` at the start of each phase: train
loss 0.145 (acc 0.982), val loss 0.980, val acc 0.669.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(2)

PHASES = {
    "warmup":   {"steps": 30,  "lr": (1e-4, 2e-3), "next": "train"},
    "train":    {"steps": 180, "lr": (2e-3, 2e-3), "next": "finetune"},
    "finetune": {"steps": 90,  "lr": (3e-4, 3e-4), "next": None},
}


def build_model(d_in, n_classes, width=256, p_drop=0.5):
    return nn.Sequential(
        nn.Linear(d_in, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(width, n_classes),
    )


class BatchStream:
    def __init__(self, x, y, bs, seed=0):
        self.x, self.y, self.bs = x, y, bs
        self.rng = np.random.default_rng(seed)
        self._perm, self._pos = self.rng.permutation(len(x)), 0

    def next(self):
        if self._pos + self.bs > len(self._perm):
            self._perm, self._pos = self.rng.permutation(len(self.x)), 0
        idx = self._perm[self._pos:self._pos + self.bs]
        self._pos += self.bs
        return self.x[idx], self.y[idx]


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def run_phase(name, spec, model, opt, stream, log):
    lo, hi = spec["lr"]
    for i in range(spec["steps"]):
        lr = lo + (hi - lo) * i / max(1, spec["steps"] - 1)
        for g in opt.param_groups:
            g["lr"] = lr
        xb, yb = stream.next()
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        log.append(loss.item())


def main():
    X, y = make_classification(n_samples=1400, n_features=40, n_informative=10, n_redundant=10,
                               n_classes=4, n_clusters_per_class=2, flip_y=0.05, class_sep=1.0,
                               random_state=4)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, train_size=500, random_state=0, stratify=y)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    to_t = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    X_tr, X_va = to_t(X_tr), to_t(X_va)
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

    model = build_model(X_tr.shape[1], 4)
    opt = torch.optim.Adam(model.parameters(), lr=PHASES["warmup"]["lr"][0], weight_decay=1e-4)
    stream = BatchStream(X_tr, y_tr, bs=50)

    model.train()
    state, history = "warmup", []
    while state is not None:
        spec = PHASES[state]
        run_phase(state, spec, model, opt, stream, history)
        tr_loss, tr_acc = evaluate(model, X_tr, y_tr)
        va_loss, va_acc = evaluate(model, X_va, y_va)
        print(f"[{state:>8}] steps {len(history):3d} batch_loss {np.mean(history[-20:]):.4f} "
              f"train {tr_loss:.4f}/{tr_acc:.3f} val {va_loss:.4f}/{va_acc:.3f}")
        state = spec["next"]


if __name__ == "__main__":
    main()
