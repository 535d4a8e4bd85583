"""Imbalanced 4-class tabular classification (make_classification) with a
hand-written alpha-weighted focal loss (gamma=0.5), ReLU MLP, Adam, small
class-based Trainer, 285 steps.

Seeded bug (non_finite): the focal modulating factor is computed as
(1 - p_t) ** gamma from softmax probabilities. Once the model becomes confident
on an easy sample, p_t rounds to exactly 1.0 in float32; the forward value is
finite (0 * log 1 = 0) but the backward of x ** 0.5 at x = 0 is infinite and is
multiplied by log(p_t) = 0, giving NaN gradients (the clamp on log(p_t) does
not help). Adam then writes NaN into every parameter.

Measured (seed 0): val acc 0.990 at step 150, loss still finite at step 168,
then the parameters become NaN after the step-168 update; from step 200 on the
loss is nan and the final val acc is 0.548 (majority class).
Fixed copy (log_softmax + clamp of (1 - p_t) before the power): no non-finite
values, final val loss 0.067, val acc 0.990.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


class FocalLoss(nn.Module):
    """Multi-class focal loss (Lin et al., 2017) with per-class alpha weights."""

    def __init__(self, alpha, gamma=0.5):
        super().__init__()
        self.register_buffer("alpha", torch.as_tensor(alpha, dtype=torch.float32))
        self.gamma = gamma

    def forward(self, logits, target):
        probs = torch.softmax(logits, dim=1)
        p_t = probs.gather(1, target[:, None]).squeeze(1)
        focal = (1.0 - p_t) ** self.gamma
        return (-self.alpha[target] * focal * torch.log(p_t.clamp_min(1e-12))).mean()


class Trainer:
    def __init__(self, model, loss_fn, lr=3e-3, batch_size=64, epochs=15, log_every=50):
        self.model, self.loss_fn = model, loss_fn
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.batch_size, self.epochs, self.log_every = batch_size, epochs, log_every
        self.global_step = 0

    def _batches(self, x, y):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), self.batch_size):
            j = perm[i:i + self.batch_size]
            yield x[j], y[j]

    def evaluate(self, x, y):
        self.model.eval()
        with torch.no_grad():
            logits = self.model(x)
            loss = self.loss_fn(logits, y).item()
            acc = (logits.argmax(1) == y).float().mean().item()
        self.model.train()
        return loss, acc

    def fit(self, x, y, x_val, y_val):
        self.model.train()
        for epoch in range(self.epochs):
            for xb, yb in self._batches(x, y):
                loss = self.loss_fn(self.model(xb), yb)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.global_step += 1
                if self.global_step % self.log_every == 0:
                    vl, va = self.evaluate(x_val, y_val)
                    print(f"step {self.global_step:4d} loss {loss.item():.4f} val_loss {vl:.4f} val_acc {va:.3f}")
        return self.evaluate(x_val, y_val)


def main():
    torch.manual_seed(0)
    x, y = make_classification(n_samples=1600, n_features=20, n_informative=12, n_classes=4,
                               n_clusters_per_class=1, weights=[0.55, 0.25, 0.12, 0.08],
                               class_sep=2.5, random_state=0)
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    sc = StandardScaler().fit(x_tr)
    x_tr, x_va = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (x_tr, x_va))
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

    freq = np.bincount(y_tr.numpy()) / len(y_tr)
    alpha = (1.0 / freq) / (1.0 / freq).sum() * len(freq)

    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 4))
    trainer = Trainer(model, FocalLoss(alpha, gamma=0.5))
    vl, va = trainer.fit(x_tr, y_tr, x_va, y_va)
    print(f"final val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
