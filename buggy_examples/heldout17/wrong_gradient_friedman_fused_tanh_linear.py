"""Seeded bug (wrong_gradient): the fused tanh-linear autograd.Function saves the pre-activation z
and its backward uses `1 - z*z` as the tanh derivative instead of `1 - tanh(z)**2`. The gradient
is only right near z = 0; for |z| > 1 it has the wrong sign and grows without bound
(torch.autograd.gradcheck fails). Without the grad-norm clipping in the loop this run goes NaN.
Measured (16 epochs, 304 SGD steps): buggy val MSE 0.369 (R^2 0.640; training MSE rises from
0.20 at epoch 5 to 0.30); fixed copy (`t = tanh(z); 1 - t*t`): val MSE 0.071 (R^2 0.931).
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
torch.set_num_threads(1)


class TanhLinearFn(torch.autograd.Function):
    """y = tanh(x @ W^T + b), with a hand-written backward that avoids storing the
    intermediate activation graph."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        z = x.matmul(weight.t()) + bias
        ctx.save_for_backward(x, weight, z)
        return torch.tanh(z)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, z = ctx.saved_tensors
        grad_z = grad_out * (1.0 - z * z)
        grad_x = grad_z.matmul(weight)
        grad_w = grad_z.t().matmul(x)
        grad_b = grad_z.sum(0)
        return grad_x, grad_w, grad_b


class TanhLinear(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d_out, d_in))
        self.bias = nn.Parameter(torch.zeros(d_out))
        nn.init.xavier_uniform_(self.weight, gain=5.0 / 3.0)

    def forward(self, x):
        return TanhLinearFn.apply(x, self.weight, self.bias)


class Regressor(nn.Module):
    def __init__(self, d_in, width=64):
        super().__init__()
        self.body = nn.Sequential(TanhLinear(d_in, width), TanhLinear(width, width))
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        return self.out(self.body(x)).squeeze(-1)


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogs(Callback):
    def __init__(self, every=5):
        self.every = every

    def on_epoch_end(self, trainer, epoch, logs):
        if (epoch + 1) % self.every == 0:
            print(f"epoch {epoch + 1:3d}  " + "  ".join(f"{k} {v:.4f}" for k, v in logs.items()))


class Trainer:
    def __init__(self, model, opt, sched, callbacks=()):
        self.model, self.opt, self.sched = model, opt, sched
        self.callbacks = list(callbacks)
        self.loss_fn = nn.MSELoss()

    def fit(self, Xtr, ytr, Xva, yva, epochs, bs):
        for epoch in range(epochs):
            self.model.train()
            perm = torch.randperm(len(Xtr))
            tl = 0.0
            for i in range(0, len(Xtr), bs):
                idx = perm[i:i + bs]
                loss = self.loss_fn(self.model(Xtr[idx]), ytr[idx])
                self.opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                self.opt.step()
                tl += loss.item() * len(idx)
            self.sched.step()
            self.model.eval()
            with torch.no_grad():
                vl = self.loss_fn(self.model(Xva), yva).item()
            logs = {"train_mse": tl / len(Xtr), "val_mse": vl, "val_r2": 1 - vl / yva.var().item()}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return logs


X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=0)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
xs = StandardScaler().fit(Xtr)
ym, ysd = ytr.mean(), ytr.std()
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xva = to_t(xs.transform(Xtr)), to_t(xs.transform(Xva))
ytr, yva = to_t((ytr - ym) / ysd), to_t((yva - ym) / ysd)

model = Regressor(Xtr.shape[1])
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.5)
trainer = Trainer(model, opt, sched, callbacks=[PrintLogs(every=4)])
final = trainer.fit(Xtr, ytr, Xva, yva, epochs=16, bs=64)
print(f"final val mse (standardised) {final['val_mse']:.4f}  R^2 {final['val_r2']:.3f}")
