"""Healthy control: breast-cancer MLP trained with AdamW + OneCycleLR, an EMA copy of the
weights used for evaluation, and a simulated pre-emption at epoch 12 where model,
optimizer, scheduler and EMA are rebuilt and restored from an io.BytesIO checkpoint.

Patterns a naive detector might flag: the EMA copy's parameters never get gradients and
are never touched by the optimizer; all parameter objects are replaced midway (new model,
new optimizer); the LR rises during OneCycle warm-up; dropout makes train loss noisy;
model.eval() is called on the live model during periodic evaluation.

Measured (24 epochs, 312 steps): train loss 0.40 (epoch 4) -> 0.028, val loss
0.267 -> 0.108, val acc 0.958, EMA val loss 0.108 / acc 0.951; the resume is seamless
(lr 1.37e-03 and EMA update count continue from the checkpoint).
"""
# traindebug-expect: clean
import copy
import io
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, y = load_breast_cancer(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(sc.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_va = torch.tensor(y_va, dtype=torch.float32)

loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr, y_tr), batch_size=32,
                                     shuffle=True, drop_last=True,
                                     generator=torch.Generator().manual_seed(0))
EPOCHS, RESUME_AT = 24, 12
TOTAL_STEPS = EPOCHS * len(loader)


class ModelEMA:
    def __init__(self, model, decay=0.995, warmup=50):
        self.module = copy.deepcopy(model).eval()
        self.decay, self.warmup, self.updates = decay, warmup, 0
        for p in self.module.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - np.exp(-self.updates / self.warmup))
        msd = model.state_dict()
        for k, v in self.module.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)

    def state_dict(self):
        return {"module": self.module.state_dict(), "updates": self.updates}

    def load_state_dict(self, sd):
        self.module.load_state_dict(sd["module"])
        self.updates = sd["updates"]


def make_model():
    return nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))


def make_training_state():
    model = make_model()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=TOTAL_STEPS, pct_start=0.2)
    return model, opt, sched, ModelEMA(model)


@torch.no_grad()
def evaluate(m):
    m.eval()
    logits = m(X_va).squeeze(1)
    loss = F.binary_cross_entropy_with_logits(logits, y_va).item()
    acc = ((logits > 0).float() == y_va).float().mean().item()
    return loss, acc


model, opt, sched, ema = make_training_state()
ckpt = None
epoch = 0
while epoch < EPOCHS:
    if epoch == RESUME_AT and ckpt is not None:
        # simulate a preempted job: rebuild everything from scratch and resume from the buffer
        model, opt, sched, ema = make_training_state()
        ckpt.seek(0)
        state = torch.load(ckpt)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        ema.load_state_dict(state["ema"])
        torch.set_rng_state(state["rng"])
        ckpt = None
        print(f"resumed at epoch {epoch}, lr={sched.get_last_lr()[0]:.2e}, ema updates={ema.updates}")
    model.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        loss = F.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        ema.update(model)
        tot += loss.item() * len(yb)
        n += len(yb)
    epoch += 1
    if epoch == RESUME_AT:
        ckpt = io.BytesIO()
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "ema": ema.state_dict(), "rng": torch.get_rng_state()}, ckpt)
    if epoch % 4 == 0:
        va_loss, va_acc = evaluate(model)
        ema_loss, ema_acc = evaluate(ema.module)
        print(f"epoch {epoch:2d} train_loss={tot / n:.4f} val_loss={va_loss:.4f} val_acc={va_acc:.3f} "
              f"ema_val_loss={ema_loss:.4f} ema_val_acc={ema_acc:.3f}")
