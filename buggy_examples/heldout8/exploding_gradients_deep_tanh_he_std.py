"""26-layer tanh MLP (width 64) on sklearn digits, small Trainer class with callbacks, SGD+momentum.

Seeded bug (exploding_gradients): reset_parameters means to use He-style scaling but writes
std = 2 / sqrt(fan_in) (the factor 2 belongs inside the square root: Var = 2/fan_in). A weight
std of 2/sqrt(fan_in) puts the deep tanh stack in the chaotic regime: activations stay bounded
(tanh) but the backward pass is amplified at each layer, so gradients grow through depth.

Measured at init (256 samples): weight-grad norm input layer 18.8, first hidden 15.3, last hidden
1.05, output layer 0.86 (~22x growth from output to input; fixed init: 1.49 / 1.28 / 1.01 / 0.89).
Training (11 epochs, 242 steps): val loss 1.96 -> ~1.1, erratic (0.996, 1.236, 1.14, 1.09),
final val acc 0.614.
Fixed copy (std = sqrt(2 / fan_in)): val loss 1.18 -> 0.35, val acc 0.914.
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class DeepTanhNet(nn.Module):
    def __init__(self, n_in, n_out, width=64, depth=24):
        super().__init__()
        self.inp = nn.Linear(n_in, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.out = nn.Linear(width, n_out)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                fan_in = m.weight.shape[1]
                # He et al.: scale by 2 / fan_in
                nn.init.normal_(m.weight, mean=0.0, std=2.0 / math.sqrt(fan_in))
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = torch.tanh(self.inp(x))
        for layer in self.hidden:
            h = torch.tanh(layer(h))
        return self.out(h)


class History:
    def __init__(self, every):
        self.every = every
        self.losses = []

    def on_step(self, trainer, step, loss):
        self.losses.append(loss)
        if step % self.every == 0:
            print(f"  step {step:4d} loss {np.mean(self.losses[-self.every:]):.4f}")

    def on_epoch(self, trainer, epoch, metrics):
        print(f"epoch {epoch}: " + " ".join(f"{k} {v:.4f}" for k, v in metrics.items()))


class Trainer:
    def __init__(self, model, optimizer, callbacks=(), batch_size=64, seed=0):
        self.model = model
        self.optimizer = optimizer
        self.callbacks = list(callbacks)
        self.batch_size = batch_size
        self.gen = torch.Generator().manual_seed(seed)
        self.global_step = 0

    def _emit(self, name, *args):
        for cb in self.callbacks:
            getattr(cb, name, lambda *a: None)(self, *args)

    def train_epoch(self, X, y):
        self.model.train()
        perm = torch.randperm(len(X), generator=self.gen)
        for i in range(0, len(X) - self.batch_size + 1, self.batch_size):
            idx = perm[i:i + self.batch_size]
            loss = F.cross_entropy(self.model(X[idx]), y[idx])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.global_step += 1
            self._emit("on_step", self.global_step, loss.item())

    @torch.no_grad()
    def evaluate(self, X, y):
        self.model.eval()
        logits = self.model(X)
        return {"val_loss": F.cross_entropy(logits, y).item(),
                "val_acc": (logits.argmax(1) == y).float().mean().item()}

    def fit(self, train, val, epochs):
        for epoch in range(epochs):
            self.train_epoch(*train)
            self._emit("on_epoch", epoch, self.evaluate(*val))


def main():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train = (to_t(sc.transform(Xtr)), torch.tensor(ytr))
    val = (to_t(sc.transform(Xva)), torch.tensor(yva))

    model = DeepTanhNet(64, 10)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    Trainer(model, opt, callbacks=[History(every=50)], batch_size=64).fit(train, val, epochs=11)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
