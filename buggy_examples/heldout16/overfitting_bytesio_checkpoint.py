"""Diabetes regression with an over-sized MLP (2x256) on 264 training rows,
best-model checkpointing into an io.BytesIO buffer with early stopping, and
the checkpoint reloaded for the final test evaluation.

Seeded bug: the early-stopping / checkpoint criterion monitors the training
MSE instead of the validation MSE. Training MSE improves almost every epoch,
so early stopping never triggers, the model memorises the training set while
validation MSE climbs, and the "best" checkpoint that is reloaded is the last,
most over-fitted one.

Measured (360 steps): train_mse 0.336 (epoch 5) -> 0.027 (epoch 40) while
val_mse 0.510 (epoch 1) -> 0.558 (epoch 5) -> 0.745 (epoch 40);
reloaded model test_mse 0.717 (RMSE 66.2). Fixed copy (monitor val_mse) stops
at epoch 16, restores epoch 1, test_mse 0.562 (RMSE 58.6).
"""
# traindebug-expect: overfitting
import io
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, y = load_diabetes(return_X_y=True)
X_trv, X_te, y_trv, y_te = train_test_split(X, y, test_size=0.2, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X_trv, y_trv, test_size=0.25, random_state=0)
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def to_t(a, b):
    return (torch.tensor((a - mu) / sd, dtype=torch.float32),
            torch.tensor((b - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1))


X_tr, y_tr = to_t(X_tr, y_tr)
X_va, y_va = to_t(X_va, y_va)
X_te, y_te = to_t(X_te, y_te)

model = nn.Sequential(
    nn.Linear(10, 256), nn.ReLU(),
    nn.Linear(256, 256), nn.ReLU(),
    nn.Linear(256, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)


def save_checkpoint(buf, model, optimizer, epoch, metric):
    buf.seek(0)
    buf.truncate()
    torch.save({"model": model.state_dict(), "optim": optimizer.state_dict(),
                "epoch": epoch, "metric": metric}, buf)


def load_checkpoint(buf, model, optimizer):
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optim"])
    return ckpt["epoch"], ckpt["metric"]


def mse(xb, yb):
    model.eval()
    with torch.no_grad():
        return F.mse_loss(model(xb), yb).item()


ckpt_buf = io.BytesIO()
best, patience, bad_epochs = float("inf"), 15, 0
BATCH = 32
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), BATCH):
        j = perm[i:i + BATCH]
        optimizer.zero_grad()
        loss = F.mse_loss(model(X_tr[j]), y_tr[j])
        loss.backward()
        optimizer.step()
    train_mse, val_mse = mse(X_tr, y_tr), mse(X_va, y_va)
    monitored = train_mse
    if monitored < best:
        best, bad_epochs = monitored, 0
        save_checkpoint(ckpt_buf, model, optimizer, epoch, monitored)
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stopping at epoch {epoch+1}")
            break
    if epoch % 5 == 4:
        print(f"epoch {epoch+1:2d} train_mse {train_mse:.4f} val_mse {val_mse:.4f}")

best_epoch, best_metric = load_checkpoint(ckpt_buf, model, optimizer)
print(f"restored checkpoint from epoch {best_epoch+1} (monitored mse {best_metric:.4f}); "
      f"checkpoint size {ckpt_buf.getbuffer().nbytes/1024:.0f} KiB")
print(f"test_mse {mse(X_te, y_te):.4f} (RMSE {np.sqrt(mse(X_te, y_te))*y_sd:.1f} disease-progression units)")
