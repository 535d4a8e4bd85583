"""5-class MLP whose architecture is built from a list spec in a config dict
(("linear", 48), ("relu",), ...). forward() keeps per-layer activation "taps"
for an activation-statistics printout.

Seeded bug (no_gradient_flow): the taps are stored detached (h.detach(), to
avoid holding the graph) and the head is then fed self.taps[-1] instead of the
live tensor h. Every backbone Linear has requires_grad=True but its .grad stays
None; only the head trains, on frozen random features.

Measured (320 Adam steps): buggy train CE 1.611 -> 1.590 (chance ln5 = 1.609),
val acc 0.314; fixed copy (head(h)) train CE 0.520, val acc 0.686.
"""
# traindebug-expect: no_gradient_flow
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

SPEC = {
    "in_dim": 30,
    "layers": [("linear", 48), ("relu",), ("linear", 48), ("relu",), ("linear", 24), ("relu",)],
    "n_classes": 5,
    "lr": 3e-3,
    "epochs": 10,
    "batch_size": 64,
}

torch.manual_seed(0)
torch.set_num_threads(1)

X, y = make_classification(n_samples=2500, n_features=30, n_informative=8,
                           n_redundant=2, n_classes=5, n_clusters_per_class=2,
                           class_sep=1.0, random_state=1)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
X_tr, y_tr, X_va, y_va = X[:2000], y[:2000], X[2000:], y[2000:]


class SpecNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        blocks, d = [], spec["in_dim"]
        for item in spec["layers"]:
            if item[0] == "linear":
                blocks.append(nn.Linear(d, item[1]))
                d = item[1]
            elif item[0] == "relu":
                blocks.append(nn.ReLU())
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(d, spec["n_classes"])
        self.taps = []

    def forward(self, x):
        # keep per-layer activations around for the activation-stats printout
        self.taps = []
        h = x
        for blk in self.blocks:
            h = blk(h)
            self.taps.append(h.detach())
        return self.head(self.taps[-1])


model = SpecNet(SPEC)
opt = torch.optim.Adam(model.parameters(), lr=SPEC["lr"])
bs = SPEC["batch_size"]
step = 0
for epoch in range(SPEC["epochs"]):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        step += 1
    if epoch % 3 == 0 or epoch == SPEC["epochs"] - 1:
        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            acc = (logits.argmax(1) == y_va).float().mean().item()
            va_loss = F.cross_entropy(logits, y_va).item()
        dead = [f"{(t <= 0).float().mean().item():.2f}" for t in model.taps[1::2]]
        print(f"epoch {epoch} step {step} train_loss {tot / len(X_tr):.4f} "
              f"val_loss {va_loss:.4f} val_acc {acc:.3f} zero_frac {dead}")
