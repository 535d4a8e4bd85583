"""Deep highway network (24 gated layers, tanh transform, sigmoid gate with the
usual negative gate bias) for 4-class tabular classification, trained with
SGD + Nesterov momentum by a small Trainer class.

Seeded bug (vanishing_gradients): the gate outputs are swapped in
HighwayLayer.forward (`h * carry + x * t` instead of `h * t + x * carry`).
With gate_bias=-2 the layer now passes only sigmoid(-2)=12% of its input
through the skip path and 88% through tanh(Linear), so the network behaves
like a plain 24-layer tanh MLP with default init.

Measured: gradient norm on the first batch is 3e-8 for the input embedding and
6e-8 for block 0 vs 3.4e-2 for the last block and 6.6e-2 for the head (about
6 orders of magnitude). Loss stays at 1.389 (ln 4 = 1.386) for all 8 epochs,
val_acc 0.23-0.26. Fixed combination: embedding/first/last block gradients
1.5e-2 / 2.3e-3 / 2.8e-3, loss 1.386 -> 0.32, val_acc 0.83.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(3)
np.random.seed(3)

HPARAMS = dict(width=64, depth=24, gate_bias=-2.0, lr=0.1, momentum=0.9,
               batch_size=64, epochs=8, weight_decay=1e-4)


class HighwayLayer(nn.Module):
    """y = T(x) * H(x) + C(x) * x with coupled carry gate C = 1 - T."""

    def __init__(self, dim, gate_bias):
        super().__init__()
        self.plain = nn.Linear(dim, dim)
        self.gate = nn.Linear(dim, dim)
        nn.init.constant_(self.gate.bias, gate_bias)  # start biased towards carrying

    def forward(self, x):
        h = torch.tanh(self.plain(x))
        t = torch.sigmoid(self.gate(x))
        carry = 1.0 - t
        return h * carry + x * t


class HighwayNet(nn.Module):
    def __init__(self, n_in, n_out, width, depth, gate_bias):
        super().__init__()
        self.embed = nn.Linear(n_in, width)
        self.blocks = nn.ModuleList(HighwayLayer(width, gate_bias) for _ in range(depth))
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        x = F.relu(self.embed(x))
        for blk in self.blocks:
            x = blk(x)
        return self.head(x)


class Trainer:
    def __init__(self, model, hp):
        self.model, self.hp = model, hp
        self.opt = torch.optim.SGD(model.parameters(), lr=hp["lr"], momentum=hp["momentum"],
                                   weight_decay=hp["weight_decay"], nesterov=True)
        self.history = []

    def train_epoch(self, loader):
        self.model.train()
        losses = []
        for xb, yb in loader:
            loss = F.cross_entropy(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            losses.append(loss.item())
        return float(np.mean(losses))

    @torch.no_grad()
    def accuracy(self, X, y):
        self.model.eval()
        return (self.model(X).argmax(1) == y).float().mean().item()

    def fit(self, loader, Xva, yva):
        for ep in range(self.hp["epochs"]):
            tl = self.train_epoch(loader)
            va = self.accuracy(Xva, yva)
            self.history.append((tl, va))
            print(f"epoch {ep}: loss={tl:.4f} val_acc={va:.3f}")


X, y = make_classification(n_samples=2000, n_features=20, n_informative=12, n_redundant=4,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.5, random_state=3)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=3)
sc = StandardScaler().fit(Xtr)
Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
ytr, yva = torch.tensor(ytr), torch.tensor(yva)

loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=HPARAMS["batch_size"], shuffle=True)
model = HighwayNet(20, 4, HPARAMS["width"], HPARAMS["depth"], HPARAMS["gate_bias"])
trainer = Trainer(model, HPARAMS)
trainer.fit(loader, Xva, yva)
print(f"final val accuracy {trainer.history[-1][1]:.3f}")
