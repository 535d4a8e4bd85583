"""IRNN (ReLU RNN with identity recurrent init, Le et al. 2015) regressing the gated
displacement of a 60-step random walk, trained by a small Trainer class (SGD+momentum).

Seeded bug (exploding_gradients): the Trainer is configured with
``max_grad_norm=1.0`` as the IRNN recipe requires, but ``clip_grad_norm_`` is called
in ``_step`` right after ``zero_grad`` and *before* ``loss.backward()``, so it only
ever clips zeros.  Through the 60-step ReLU recurrence the gradient norm grows
by orders of magnitude and the weights are thrown off by the huge updates.

Measured (250 steps, val MSE of predicting 0 = 10.0): buggy -> total grad norm
541 at step 1, ~1e17 at step 3, then stays 1e5-6e5; train MSE 3e13 (first 50
steps) and 1.7e9 (last 50), val MSE 9.2e8.  Fixed (clip after backward) -> grad
norm held at 1, train MSE 4.6 -> 1.6, val MSE 1.4-2.3.
"""
# traindebug-expect: exploding_gradients
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(3)


def drift_sequences(n, T, gen):
    """Random-walk increments with a gated channel; target is the final displacement
    of the walk over the steps where the gate is open."""
    steps = torch.empty(n, T).uniform_(-1.0, 1.0, generator=gen)
    gate = (torch.rand(n, T, generator=gen) < 0.5).float()
    x = torch.stack([steps * gate, gate], dim=-1)
    y = (steps * gate).sum(1, keepdim=True)
    return x, y


class IRNNRegressor(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.rnn = nn.RNN(2, hidden, nonlinearity="relu", batch_first=True)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()
            self.rnn.weight_ih_l0.normal_(0.0, 0.1)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


class Trainer:
    def __init__(self, model, lr=5e-4, momentum=0.9, max_grad_norm=1.0):
        self.model = model
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        self.max_grad_norm = max_grad_norm
        self.loss_fn = nn.MSELoss()
        self.history = []

    def _step(self, xb, yb):
        self.opt.zero_grad()
        if self.max_grad_norm is not None:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
        loss = self.loss_fn(self.model(xb), yb)
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        loss = self.loss_fn(self.model(x), y).item()
        self.model.train()
        return loss

    def fit(self, x, y, x_val, y_val, steps=250, batch_size=32, log_every=50):
        gen = torch.Generator().manual_seed(0)
        for step in range(1, steps + 1):
            idx = torch.randint(0, len(x), (batch_size,), generator=gen)
            loss = self._step(x[idx], y[idx])
            self.history.append(loss)
            if step % log_every == 0:
                recent = [l for l in self.history[-log_every:] if math.isfinite(l)]
                avg = sum(recent) / max(len(recent), 1)
                print(f"step {step:4d}  train_mse {avg:.4g}  "
                      f"finite {len(recent)}/{log_every}  val_mse {self.evaluate(x_val, y_val):.4g}")


def main():
    gen = torch.Generator().manual_seed(1)
    x_tr, y_tr = drift_sequences(4000, 60, gen)
    x_va, y_va = drift_sequences(500, 60, gen)
    print(f"baseline (predict 0) val mse: {(y_va ** 2).mean().item():.4f}")
    trainer = Trainer(IRNNRegressor())
    trainer.fit(x_tr, y_tr, x_va, y_va)


if __name__ == "__main__":
    main()
