"""Seeded bug (exploding_gradients): reset_parameters() uses
nn.init.calculate_gain("relu") (= sqrt 2) for *all* RNN weights, including the
recurrent weight_hh. That gain is meant for feed-forward ReLU layers; on an
orthogonal recurrent matrix it makes the hidden state and the backpropagated
gradient grow roughly like 1.41**t over the 60 time steps of a ReLU RNN.

Measured (256 RMSprop steps): buggy first-epoch grad norms median 920, max 1.7e6,
first-epoch train_mse 453, final val_mse ~2.56 (2.55-2.58 depending on the
thread count; target variance 2.40, i.e. nothing learned); fixed (gain=1.0 on the weights) first-epoch grad norm max 11.7,
train_mse 2.32, final val_mse 1.71.
"""
# traindebug-expect: exploding_gradients
from dataclasses import dataclass
import numpy as np
import torch
import torch.nn as nn


@dataclass
class Cfg:
    seq_len: int = 60
    hidden: int = 48
    n_train: int = 2048
    n_val: int = 512
    batch: int = 64
    epochs: int = 8
    lr: float = 1e-3
    seed: int = 11


def running_sum_task(n, T, rng):
    """Predict a decayed running sum of a noisy input stream at the last step."""
    x = rng.normal(0, 1, size=(n, T, 2)).astype(np.float32)
    mask = (rng.random((n, T)) < 0.15).astype(np.float32)
    x[:, :, 1] = mask
    w = 0.97 ** np.arange(T)[::-1]
    y = (x[:, :, 0] * mask * w).sum(1, keepdims=True).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


class ReluRNNRegressor(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.RNN(2, hidden, batch_first=True, nonlinearity="relu")
        self.out = nn.Linear(hidden, 1)
        self.reset_parameters()

    def reset_parameters(self):
        gain = nn.init.calculate_gain("relu")
        for name, p in self.rnn.named_parameters():
            if "weight" in name:
                nn.init.orthogonal_(p, gain=gain)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


def main(cfg=Cfg()):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    xtr, ytr = running_sum_task(cfg.n_train, cfg.seq_len, rng)
    xva, yva = running_sum_task(cfg.n_val, cfg.seq_len, rng)
    print(f"target var {ytr.var().item():.3f}")

    model = ReluRNNRegressor(cfg.hidden)
    opt = torch.optim.RMSprop(model.parameters(), lr=cfg.lr, alpha=0.9)
    loss_fn = nn.MSELoss()
    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(cfg.n_train)
        gnorms, losses = [], []
        for i in range(0, cfg.n_train, cfg.batch):
            idx = perm[i:i + cfg.batch]
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            gnorms.append(torch.norm(torch.stack([p.grad.norm() for p in model.parameters()])).item())
            opt.step()
            losses.append(loss.item())
            step += 1
        with torch.no_grad():
            model.eval()
            val = loss_fn(model(xva), yva).item()
            model.train()
        print(f"epoch {epoch}  step {step}  train_mse {np.mean(losses):.4g}  val_mse {val:.4g}  "
              f"median |g| {np.median(gnorms):.3g}  max |g| {np.max(gnorms):.3g}")


if __name__ == "__main__":
    main()
