"""DeepSurv-style Cox proportional-hazards network (8 hidden Linear(64) layers, He-normal init,
scalar risk head) on a synthetic cohort (16 covariates, non-linear log-hazard, exponential event
times, uniform censoring). Negative Breslow partial likelihood, SGD + Nesterov (lr 0.05,
momentum 0.9), batches of 128, 15 epochs (240 steps), small Trainer class with a progress
callback; validation C-index each epoch.

Seeded bug: the hidden activation of the 8-layer tower is nn.Sigmoid. Each sigmoid layer
multiplies back-propagated gradients by at most 0.25 (and squeezes inputs into a narrow band),
so the first layers get gradients many orders of magnitude smaller than the head and the risk
score is almost constant across patients. Realistic: using sigmoid hidden units as in old
survival-net tutorials, on a much deeper tower.

Measured: buggy val Cox loss 5.6674 (unchanged from init), val C-index 0.504 (chance). Fixed copy
(nn.ReLU in the tower, same He init): val Cox loss 5.21-5.48, val C-index 0.773 (0.789 best).
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(3)


def simulate_cohort(n, p=16, seed=0):
    """Exponential survival times with a non-linear log-hazard and uniform censoring."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype(np.float32)
    log_hazard = 1.2 * X[:, 0] - 0.8 * X[:, 1] ** 2 + 0.9 * X[:, 2] * X[:, 3] + 0.6 * np.tanh(2 * X[:, 4])
    T = rng.exponential(1.0 / np.exp(log_hazard))
    C = rng.uniform(0, np.quantile(T, 0.9), size=n)
    time = np.minimum(T, C).astype(np.float32)
    event = (T <= C).astype(np.float32)
    return torch.from_numpy(X), torch.from_numpy(time), torch.from_numpy(event)


def cox_ph_loss(risk, time, event):
    """Negative Breslow partial log-likelihood, averaged over observed events."""
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)
    return -((risk - log_risk_set) * event).sum() / event.sum().clamp_min(1.0)


def concordance_index(risk, time, event):
    r, t, e = risk.numpy(), time.numpy(), event.numpy()
    comparable = (t[:, None] < t[None, :]) & (e[:, None] == 1)
    concordant = (r[:, None] > r[None, :]) & comparable
    ties = (r[:, None] == r[None, :]) & comparable
    return (concordant.sum() + 0.5 * ties.sum()) / comparable.sum()


class DeepSurv(nn.Module):
    def __init__(self, n_features, hidden=64, depth=8, dropout=0.0):
        super().__init__()
        layers, d = [], n_features
        for _ in range(depth):
            layers += [nn.Linear(d, hidden), nn.Sigmoid()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            d = hidden
        self.body = nn.Sequential(*layers)
        self.risk = nn.Linear(hidden, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.risk(self.body(x)).squeeze(-1)


class PrintProgress:
    def __init__(self, every):
        self.every = every

    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % self.every == 0:
            print(f"epoch {epoch:3d}  train cox {logs['train_loss']:.4f}  "
                  f"val cox {logs['val_loss']:.4f}  val C-index {logs['val_cindex']:.3f}")


class Trainer:
    def __init__(self, model, optimizer, batch_size=128, callbacks=()):
        self.model, self.optimizer = model, optimizer
        self.batch_size = batch_size
        self.callbacks = list(callbacks)

    def fit(self, train, val, epochs):
        X, T, E = train
        logs = {}
        for epoch in range(1, epochs + 1):
            self.model.train()
            perm = torch.randperm(len(X))
            losses = []
            for i in range(0, len(X), self.batch_size):
                idx = perm[i:i + self.batch_size]
                loss = cox_ph_loss(self.model(X[idx]), T[idx], E[idx])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                losses.append(loss.item())
            logs = {"train_loss": float(np.mean(losses)), **self.evaluate(*val)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return logs

    @torch.no_grad()
    def evaluate(self, X, T, E):
        self.model.eval()
        risk = self.model(X)
        return {"val_loss": cox_ph_loss(risk, T, E).item(), "val_cindex": concordance_index(risk, T, E)}


train = simulate_cohort(2000, seed=0)
val = simulate_cohort(600, seed=1)
model = DeepSurv(n_features=16)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
trainer = Trainer(model, opt, batch_size=128, callbacks=[PrintProgress(every=3)])
logs = trainer.fit(train, val, epochs=15)
print(f"final val cox loss {logs['val_loss']:.4f}  val C-index {logs['val_cindex']:.3f}")
