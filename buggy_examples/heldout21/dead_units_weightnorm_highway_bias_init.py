"""Highway network (3 blocks, width 64) whose Linear layers are reparametrised
with torch.nn.utils.parametrizations.weight_norm, trained with Adam on a
nonlinear 4-class make_classification problem (3 clusters per class), custom
DataLoader, 288 steps.

Seeded bug (dead_units): the highway gate bias should start at -2 so the
blocks begin close to the identity (carry) path, but the init function is
applied with model.blocks.apply() and matches every nn.Linear, so the ReLU
transform layers get bias -2 as well. Their pre-activations (std ~0.5) are
then negative for every sample: 100% of the transform units in all 3 blocks
are dead on the whole data set at step 0, receive zero gradient and never
recover; only the gates and the linear carry path learn.

Measured (seed 2): final train loss 0.461, train acc 0.853, test acc 0.806.
Fixed copy (bias -2 only on the gate layers, 0% dead units at init): train
loss 0.250, train acc 0.933, test acc 0.840.
"""
# traindebug-expect: dead_units
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import weight_norm
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(2)

GATE_BIAS = -2.0   # Srivastava et al.: start highway layers close to the carry behaviour


class HighwayBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.transform = weight_norm(nn.Linear(dim, dim))
        self.gate = weight_norm(nn.Linear(dim, dim))

    def forward(self, x):
        h = F.relu(self.transform(x))
        t = torch.sigmoid(self.gate(x))
        return t * h + (1.0 - t) * x


class HighwayNet(nn.Module):
    def __init__(self, d_in, width, n_blocks, n_classes):
        super().__init__()
        self.proj = weight_norm(nn.Linear(d_in, width))
        self.blocks = nn.Sequential(*[HighwayBlock(width) for _ in range(n_blocks)])
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.blocks(self.proj(x)))


def init_gate_bias(module):
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.bias, GATE_BIAS)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    model.train()
    return acc


def main():
    x, y = make_classification(n_samples=2000, n_features=16, n_informative=10, n_redundant=2,
                               n_classes=4, n_clusters_per_class=3, class_sep=1.2, random_state=2)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=2)
    sc = StandardScaler().fit(x_tr)
    x_tr = torch.tensor(sc.transform(x_tr), dtype=torch.float32)
    x_te = torch.tensor(sc.transform(x_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)

    model = HighwayNet(16, 64, n_blocks=3, n_classes=4)
    model.blocks.apply(init_gate_bias)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    step = 0
    for epoch in range(12):
        total = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            step += 1
        if epoch % 3 == 2:
            print(f"epoch {epoch:2d} step {step} train_loss {total / len(x_tr):.4f} "
                  f"train_acc {accuracy(model, x_tr, y_tr):.3f} test_acc {accuracy(model, x_te, y_te):.3f}")


if __name__ == "__main__":
    main()
