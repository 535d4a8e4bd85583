"""Clean control: stochastic weight averaging on a small BatchNorm MLP (diabetes
regression, standardised inputs and target). Patterns a naive detector might misread:
the cosine schedule drives the learning rate to exactly 0.0 at epoch 20 and SWALR then
raises it again to 0.01 (a late, deliberate rate change, not a decayed-to-zero bug);
the AveragedModel copy holds parameters that never receive gradients or optimizer
steps (they are averaged, by design); and update_bn runs extra forward passes in
train mode after training to recompute BatchNorm statistics for the averaged weights.
Measured (30 epochs, 330 SGD steps): train MSE 0.98 -> 0.41, test MSE 0.556 -> 0.528
(last iterate) / 0.529 (SWA, 10 snapshots), in standardised target units; for scale,
predicting the training mean gives 0.854 and ordinary least squares 0.471 on this split.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(4)

EPOCHS, SWA_START = 30, 20
BASE_LR, SWA_LR = 0.02, 0.01


def make_model():
    return nn.Sequential(
        nn.Linear(10, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 16), nn.BatchNorm1d(16), nn.ReLU(),
        nn.Linear(16, 1),
    )


def mse(model, X, y):
    model.eval()
    with torch.no_grad():
        return nn.functional.mse_loss(model(X).squeeze(-1), y).item()


def main():
    data = load_diabetes()
    X, y = data.data.astype(np.float32), data.target.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    ym, ys = ytr.mean(), ytr.std()
    Xtr, Xte = torch.tensor((Xtr - mu) / sd), torch.tensor((Xte - mu) / sd)
    ytr, yte = torch.tensor((ytr - ym) / ys), torch.tensor((yte - ym) / ys)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))

    model = make_model()
    swa_model = AveragedModel(model)
    opt = torch.optim.SGD(model.parameters(), lr=BASE_LR, momentum=0.9, weight_decay=1e-2)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=SWA_START)
    swa_sched = SWALR(opt, swa_lr=SWA_LR, anneal_epochs=3, anneal_strategy="cos")
    loss_fn = nn.MSELoss()

    for epoch in range(EPOCHS):
        model.train()
        tot = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(xb).squeeze(-1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb)
        if epoch >= SWA_START:
            swa_model.update_parameters(model)
            swa_sched.step()
        else:
            cosine.step()
        if epoch % 5 == 4 or epoch == 0:
            print(f"epoch {epoch + 1:2d}  lr {opt.param_groups[0]['lr']:.4f}  train_mse {tot / len(ytr):.4f}  "
                  f"test_mse {mse(model, Xte, yte):.4f}")

    # BatchNorm running stats of the averaged weights must be recomputed
    update_bn(loader, swa_model)
    print(f"final: last-iterate test_mse {mse(model, Xte, yte):.4f}  "
          f"SWA test_mse {mse(swa_model, Xte, yte):.4f}  (averaged {int(swa_model.n_averaged)} snapshots)")


if __name__ == "__main__":
    main()
