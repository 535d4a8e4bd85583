"""
DeepSurv-style Cox model on generated censored survival data with few patients
and many covariates: 256 training / 256 validation / 600 test patients, 40
covariates of which 4 drive the log-hazard, ~30% censoring. MLP 40-256-256-1
(ReLU), Adam lr 1e-3, batch 64, Cox partial likelihood (Breslow) per batch.
A small Trainer class with callbacks computes the validation partial
likelihood every epoch; EarlyStopping(patience=6) is meant to end training
once validation stops improving (budget: at most 80 epochs = 320 steps).

Seeded bug: the EarlyStopping callback signals by setting
`trainer.should_stop = True` (Lightning's spelling), but the hand-written
Trainer loop checks `self.stop_training` (Keras' spelling), which is initialised
False and never changes. Training silently runs the full 80 epochs, long past
the validation optimum, and the heavily over-parameterised network memorises
the 256 training patients: train NLL keeps falling while validation NLL rises.
Measured (seed 0): buggy runs all 320 steps: train NLL 0.70 (train C 0.992)
while val NLL climbs from its best 4.46 to 18.2; test NLL 28.2, test C 0.648.
Fixed copy (flag names agree) stops after epoch 10 (40 steps): test NLL 5.77,
test C 0.651. CPU time ~7.5 s.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_TRAIN, N_VAL, N_TEST, N_FEAT = 256, 256, 600, 40


def simulate(n):
    x = rng.normal(size=(n, N_FEAT)).astype(np.float32)
    log_h = 0.7 * x[:, 0] - 0.5 * x[:, 1] + 0.4 * x[:, 2] * x[:, 3]
    t_event = rng.exponential(1.0 / np.exp(log_h))
    t_cens = rng.exponential(2.5, size=n)
    return (torch.from_numpy(x), torch.from_numpy(np.minimum(t_event, t_cens).astype(np.float32)),
            torch.from_numpy((t_event <= t_cens).astype(np.float32)))


train, val, test = simulate(N_TRAIN), simulate(N_VAL), simulate(N_TEST)


def cox_nll(risk, time, event):
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    return -((risk - torch.logcumsumexp(risk, 0)) * event).sum() / event.sum().clamp(min=1)


def c_index(risk, time, event):
    risk, time, event = risk.numpy(), time.numpy(), event.numpy()
    comp = (time[:, None] < time[None, :]) & (event[:, None] == 1)
    conc = (risk[:, None] > risk[None, :]) + 0.5 * (risk[:, None] == risk[None, :])
    return float((conc * comp).sum() / comp.sum())


class EarlyStopping:
    def __init__(self, patience=6, min_delta=1e-4):
        self.patience, self.min_delta = patience, min_delta
        self.best, self.wait = float("inf"), 0

    def on_epoch_end(self, trainer, logs):
        if logs["val_nll"] < self.best - self.min_delta:
            self.best, self.wait = logs["val_nll"], 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                print(f"early stopping at epoch {logs['epoch']} (best val NLL {self.best:.4f})")
                trainer.should_stop = True


class PrintLogger:
    def on_epoch_end(self, trainer, logs):
        if logs["epoch"] % 10 == 0:
            print(f"epoch {logs['epoch']:2d} step {trainer.global_step:3d}  train NLL {logs['train_nll']:.4f}  "
                  f"val NLL {logs['val_nll']:.4f}  val C {logs['val_c']:.3f}")


class Trainer:
    def __init__(self, model, opt, max_epochs, batch_size, callbacks=()):
        self.model, self.opt = model, opt
        self.max_epochs, self.batch_size = max_epochs, batch_size
        self.callbacks = list(callbacks)
        self.stop_training = False
        self.global_step = 0

    def fit(self, train, val):
        x, t, e = train
        for epoch in range(1, self.max_epochs + 1):
            self.model.train()
            perm = torch.randperm(len(x))
            losses = []
            for i in range(0, len(x), self.batch_size):
                b = perm[i:i + self.batch_size]
                loss = cox_nll(self.model(x[b]).squeeze(-1), t[b], e[b])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.global_step += 1
                losses.append(loss.item())
            self.model.eval()
            with torch.no_grad():
                r_val = self.model(val[0]).squeeze(-1)
                logs = {"epoch": epoch, "train_nll": float(np.mean(losses)),
                        "val_nll": cox_nll(r_val, val[1], val[2]).item(),
                        "val_c": c_index(r_val, val[1], val[2])}
            for cb in self.callbacks:
                cb.on_epoch_end(self, logs)
            if self.stop_training:
                break
        return self


model = nn.Sequential(nn.Linear(N_FEAT, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
trainer = Trainer(model, opt, max_epochs=80, batch_size=64, callbacks=[EarlyStopping(patience=6), PrintLogger()])
trainer.fit(train, val)

model.eval()
with torch.no_grad():
    r_tr, r_te = model(train[0]).squeeze(-1), model(test[0]).squeeze(-1)
print(f"stopped after {trainer.global_step} steps | train C {c_index(r_tr, *train[1:]):.3f}  "
      f"test C {c_index(r_te, *test[1:]):.3f}  test NLL {cox_nll(r_te, *test[1:]).item():.4f}")
