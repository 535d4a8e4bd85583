"""Seeded bug (overfitting): the EarlyStopping callback is constructed with
monitor="loss", i.e. the *training* MSE from the logs dict, instead of "val_loss".
Training loss keeps falling, so the callback never triggers and "restores" the
weights with the lowest training loss, while the held-out MSE (computed under
torch.no_grad each epoch) rises steadily after epoch ~5 as the 6-expert soft
mixture-of-experts memorises the 309 training rows of the diabetes data.

Measured (40 epochs, 400 Adam steps): buggy train_mse 0.74 -> 0.07 while val_mse
0.49 (epoch 5) -> 0.71; kept weights from epoch 36, final val_mse 0.705 (R^2 0.19).
Fixed (monitor="val_loss"): stops at epoch 16, keeps epoch-1 weights, val_mse 0.456
(R^2 0.48).
"""
# traindebug-expect: overfitting
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(2)
np.random.seed(2)


class SoftMoE(nn.Module):
    def __init__(self, d_in, n_experts=6, d_hidden=96):
        super().__init__()
        self.gate = nn.Linear(d_in, n_experts)
        self.experts = nn.ModuleList([
            nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_hidden),
                          nn.ReLU(), nn.Linear(d_hidden, 1))
            for _ in range(n_experts)])

    def forward(self, x):
        w = F.softmax(self.gate(x), dim=-1)                       # (B, E)
        out = torch.cat([e(x) for e in self.experts], dim=-1)     # (B, E)
        return (w * out).sum(-1), w


class EarlyStopping:
    def __init__(self, monitor="val_loss", patience=15, min_delta=1e-4):
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.best, self.wait, self.best_state, self.best_epoch = float("inf"), 0, None, -1

    def on_epoch_end(self, epoch, logs, model):
        cur = logs[self.monitor]
        if cur < self.best - self.min_delta:
            self.best, self.wait, self.best_epoch = cur, 0, epoch
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.wait += 1
        return self.wait >= self.patience

    def restore(self, model):
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def main():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=4)
    xs = StandardScaler().fit(Xtr)
    ym, ysd = ytr.mean(), ytr.std()
    Xtr, Xva = (torch.tensor(xs.transform(a), dtype=torch.float32) for a in (Xtr, Xva))
    ytr, yva = (torch.tensor((a - ym) / ysd, dtype=torch.float32) for a in (ytr, yva))

    model = SoftMoE(Xtr.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    stopper = EarlyStopping(monitor="loss", patience=15)
    bs, step = 32, 0
    for epoch in range(40):
        model.train()
        perm = torch.randperm(len(ytr))
        tot = 0.0
        for i in range(0, len(ytr), bs):
            idx = perm[i:i + bs]
            pred, gate_w = model(Xtr[idx])
            # small load-balancing term keeps all experts in use
            balance = (gate_w.mean(0) * gate_w.size(1) - 1).pow(2).mean()
            loss = F.mse_loss(pred, ytr[idx]) + 0.01 * balance
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += F.mse_loss(pred, ytr[idx]).item() * len(idx)
            step += 1
        model.eval()
        with torch.no_grad():
            val_loss = F.mse_loss(model(Xva)[0], yva).item()
        logs = {"loss": tot / len(ytr), "val_loss": val_loss}
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} step {step}  train_mse {logs['loss']:.4f}  val_mse {val_loss:.4f}")
        if stopper.on_epoch_end(epoch, logs, model):
            print(f"early stop at epoch {epoch}")
            break
    stopper.restore(model)
    with torch.no_grad():
        final = F.mse_loss(model(Xva)[0], yva).item()
    print(f"kept weights from epoch {stopper.best_epoch}; val_mse {final:.4f} "
          f"(R^2 {1 - final / yva.var(unbiased=False).item():.3f})")


if __name__ == "__main__":
    main()
