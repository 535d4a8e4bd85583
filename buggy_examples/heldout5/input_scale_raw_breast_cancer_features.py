"""Seeded bug: the breast-cancer features are fed to the network raw. Their scales range
from ~0.001 (fractal dimension) to ~4000 (worst area), so the first-layer pre-activations
are dominated by a few area/perimeter columns and SGD with momentum either saturates or
oscillates; the loss stays high and the accuracy is poor.

Measured (this script, seed 0): final train loss 0.661 (= entropy of the class prior, i.e. a constant predictor), test acc 0.632 (= majority class rate).
With StandardScaler on the inputs: train loss 0.069, test acc 0.982.
"""
# traindebug-expect: input_scale
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def prepare(X, y):
    return TensorDataset(torch.as_tensor(X, dtype=torch.float32),
                         torch.as_tensor(y, dtype=torch.float32))


def main():
    torch.manual_seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1,
                                                        stratify=y)
    train_ds, test_ds = prepare(X_train, y_train), prepare(X_test, y_test)
    loader = DataLoader(train_ds, batch_size=32, shuffle=True)

    net = nn.Sequential(
        nn.Linear(30, 32),
        nn.Tanh(),
        nn.Linear(32, 16),
        nn.Tanh(),
        nn.Linear(16, 1),
    )
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
    bce = nn.BCEWithLogitsLoss()

    for epoch in range(15):
        total = 0.0
        for xb, yb in loader:
            logits = net(xb).squeeze(1)
            loss = bce(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        sched.step()
        if epoch % 3 == 0 or epoch == 14:
            print(f"epoch {epoch:2d} lr {sched.get_last_lr()[0]:.4f} train loss {total / len(train_ds):.4f}")

    Xt, yt = test_ds.tensors
    with torch.no_grad():
        acc = ((net(Xt).squeeze(1) > 0).float() == yt).float().mean().item()
    print(f"test acc {acc:.3f}")


if __name__ == "__main__":
    main()
