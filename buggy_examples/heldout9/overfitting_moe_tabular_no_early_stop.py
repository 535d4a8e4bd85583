"""Mixture-of-experts classifier (softmax gate over 4 experts, each a 2x256 ReLU MLP, about
310k parameters) on a small, noisy tabular problem: 480 training rows, 40 features, 8% flipped
labels, 3 classes. RAdam; validation is run after every epoch.

Seeded bug: the model is trained for a fixed 40 epochs (400 steps) with no weight decay, no
dropout and no early stopping or best-checkpoint selection, so the large model memorises the
small training set and the label noise.

Measured: val_loss reaches its minimum of 0.718 at epoch 14 (val_acc 0.717), then rises steadily
to 1.328 at epoch 39, while training loss falls to 0.0032 and train_acc reaches 1.000
(final val_acc 0.708). Fixed copy (stopping at the best epoch, 15 epochs): val_loss 0.718,
val_acc 0.717.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SETTINGS = {
    "data": {"n_samples": 600, "n_features": 40, "n_informative": 10, "label_noise": 0.08, "val_fraction": 0.2},
    "model": {"n_experts": 4, "expert_hidden": 256, "gate_hidden": 64},
    "optim": {"lr": 2e-3},
    "loop": {"batch_size": 48, "epochs": 40, "log_every": 5},
}


class Expert(nn.Module):
    def __init__(self, d_in, hidden, n_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_out))

    def forward(self, x):
        return self.net(x)


class MoEClassifier(nn.Module):
    def __init__(self, d_in, n_classes, n_experts, expert_hidden, gate_hidden):
        super().__init__()
        self.experts = nn.ModuleList([Expert(d_in, expert_hidden, n_classes) for _ in range(n_experts)])
        self.gate = nn.Sequential(nn.Linear(d_in, gate_hidden), nn.Tanh(), nn.Linear(gate_hidden, n_experts))

    def forward(self, x):
        w = F.softmax(self.gate(x), dim=-1)                       # (B, E)
        outs = torch.stack([e(x) for e in self.experts], dim=1)   # (B, E, C)
        return (w.unsqueeze(-1) * outs).sum(1)


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        out = model(x)
        return F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item()


def main():
    d = SETTINGS["data"]
    X, y = make_classification(n_samples=d["n_samples"], n_features=d["n_features"], n_informative=d["n_informative"],
                               n_redundant=5, n_classes=3, n_clusters_per_class=2, flip_y=d["label_noise"],
                               random_state=7)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=d["val_fraction"], random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    xtr = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
    xva = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
    ytr, yva = torch.tensor(y_train), torch.tensor(y_val)
    print(f"train {len(ytr)}  val {len(yva)}")

    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=SETTINGS["loop"]["batch_size"], shuffle=True)
    model = MoEClassifier(d["n_features"], 3, **SETTINGS["model"])
    opt = torch.optim.RAdam(model.parameters(), lr=SETTINGS["optim"]["lr"])

    history = []
    for epoch in range(SETTINGS["loop"]["epochs"]):
        model.train()
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        tl, ta = evaluate(model, xtr, ytr)
        vl, va = evaluate(model, xva, yva)
        history.append((tl, vl))
        if epoch % SETTINGS["loop"]["log_every"] == 0 or epoch == SETTINGS["loop"]["epochs"] - 1:
            print(f"epoch {epoch:2d} train_loss {tl:.4f} train_acc {ta:.3f} val_loss {vl:.4f} val_acc {va:.3f}")
    best = int(np.argmin([h[1] for h in history]))
    print(f"best val_loss {history[best][1]:.4f} at epoch {best}")


if __name__ == "__main__":
    main()
