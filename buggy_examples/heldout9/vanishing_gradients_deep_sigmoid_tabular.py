"""Deep MLP (10 hidden layers) on the sklearn digits data set with Kaiming-normal init and
SGD with Nesterov momentum; activation, widths and optimizer come from a nested config dict.

Seeded bug: the config selects "sigmoid" as the hidden activation for a 10-layer plain MLP. With
sigmoid' <= 0.25, each layer shrinks the backward signal and the first layers receive almost no
gradient.

Measured (330 optimizer steps): mean gradient norm of the first Linear layer is 1.4e-5, against
0.70 for the last (a ratio of about 5e4). Training loss stays at 2.31 (chance level ln 10 = 2.30)
and val_acc is 0.10 after 15 epochs. Fixed copy ("tanh", everything else the same): first/last
layer gradient norm 0.71/0.43, train loss 0.0013, val_loss 0.13, val_acc 0.973.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = {
    "model": {"hidden": [128, 128, 96, 96, 96, 64, 64, 64, 64, 64], "activation": "sigmoid", "dropout": 0.0},
    "optim": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    "train": {"batch_size": 64, "epochs": 15},
}

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "silu": nn.SiLU}


def build_mlp(n_in, n_out, hidden, activation, dropout):
    layers, prev = [], n_in
    for width in hidden:
        layers += [nn.Linear(prev, width), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        prev = width
    layers.append(nn.Linear(prev, n_out))
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return net


class GradMonitor:
    """Records the gradient norm of the first and last Linear layer after each backward."""

    def __init__(self, model):
        self.linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        self.history = []

    def __call__(self):
        first = self.linears[0].weight.grad.norm().item()
        last = self.linears[-1].weight.grad.norm().item()
        self.history.append((first, last))


def main():
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train_dl = DataLoader(TensorDataset(to_t(Xtr), torch.tensor(ytr)), batch_size=CONFIG["train"]["batch_size"],
                          shuffle=True)
    xva_t, yva_t = to_t(Xva), torch.tensor(yva)

    model = build_mlp(64, 10, **CONFIG["model"])
    opt = torch.optim.SGD(model.parameters(), **CONFIG["optim"])
    monitor = GradMonitor(model)

    for epoch in range(CONFIG["train"]["epochs"]):
        model.train()
        losses = []
        for xb, yb in train_dl:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            monitor()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            out = model(xva_t)
            vl = F.cross_entropy(out, yva_t).item()
            va = (out.argmax(1) == yva_t).float().mean().item()
        if epoch % 3 == 2 or epoch == 0:
            g_first, g_last = np.mean(monitor.history[-len(train_dl):], axis=0)
            print(f"epoch {epoch:2d} train_loss {np.mean(losses):.4f} val_loss {vl:.4f} val_acc {va:.3f} "
                  f"|grad| first {g_first:.2e} last {g_last:.2e}")


if __name__ == "__main__":
    main()
