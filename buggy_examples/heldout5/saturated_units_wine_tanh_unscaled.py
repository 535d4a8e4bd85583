"""Seeded bug: the raw wine features are fed to a tanh MLP without any
scaling. Several columns are large (proline ~ 300-1700, magnesium ~ 70-160,
alcalinity ~ 10-30), so the first-layer pre-activations are in the tens to
hundreds and almost every tanh unit sits at +-1 where its derivative is ~0.
The net learns only through the few units that are not pinned.
Measured (seed 0, 300 RMSprop steps): fraction of layer-1 tanh outputs with
|h| > 0.99 = 0.999 at init and 0.995 after training; final train loss 0.638,
test acc 0.648. With StandardScaler applied: saturated fraction 0.000 / 0.001,
final train loss 0.0055, test acc 0.981.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split


class TanhNet(nn.Module):
    def __init__(self, d_in, d_hidden, n_classes):
        super().__init__()
        self.l1 = nn.Linear(d_in, d_hidden)
        self.l2 = nn.Linear(d_hidden, d_hidden)
        self.l3 = nn.Linear(d_hidden, n_classes)

    def hidden(self, x):
        return torch.tanh(self.l1(x))

    def forward(self, x):
        h = self.hidden(x)
        h = torch.tanh(self.l2(h))
        return self.l3(h)


def saturation(model, x):
    with torch.no_grad():
        return (model.hidden(x).abs() > 0.99).float().mean().item()


def main():
    torch.manual_seed(0)
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X.astype(np.float32), y, test_size=0.3,
                                          random_state=0, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

    model = TanhNet(13, 32, 3)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    print(f"saturated fraction at init: {saturation(model, Xtr):.3f}")

    for step in range(300):
        idx = torch.randint(0, len(Xtr), (32,))
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            print(f"step {step:4d}  loss {loss.item():.4f}")

    with torch.no_grad():
        tr = loss_fn(model(Xtr), ytr).item()
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"saturated fraction after training: {saturation(model, Xtr):.3f}")
    print(f"final train loss {tr:.4f}  test acc {acc:.3f}")


if __name__ == "__main__":
    main()
