"""Healthy control: a 2-layer GRU forecaster on a long 3-channel synthetic series, trained with
truncated BPTT (windows of 40 steps, 16 parallel streams) and Adam, with gradient clipping
at 1.0; the training loop is a generator; 248 steps.

Patterns that can fool a naive detector: the hidden state is carried across windows but
detached (h = h.detach()), so the graph is deliberately cut between optimizer steps, and the
clip_grad_norm_ call is active on many steps early on. Both are standard TBPTT practice.

Measured healthy numbers: the MSE of the first window is 1.08. Per-epoch training MSE goes from
0.41 to 0.075, and validation MSE falls every epoch, from 0.136 to 0.074, well below the
persistence baseline of 0.143.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = {"series_len": 24000, "n_streams": 16, "bptt": 40, "hidden": 64, "lr": 3e-3, "epochs": 8, "clip": 1.0}


def make_series(n, rng):
    """Three coupled channels: two quasi-periodic drivers and a lagged nonlinear response."""
    t = np.arange(n)
    a = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 13 + 1.0)
    b = np.zeros(n)
    for i in range(1, n):
        b[i] = 0.95 * b[i - 1] + 0.3 * rng.normal()
    c = np.zeros(n)
    c[5:] = np.tanh(a[:-5] * b[:-5]) + 0.1 * rng.normal(size=n - 5)
    x = np.stack([a + 0.1 * rng.normal(size=n), b, c], 1)
    x = (x - x.mean(0)) / x.std(0)
    return torch.tensor(x, dtype=torch.float32)


def batchify(series, n_streams):
    """Cut one long series into n_streams contiguous streams: (T, B, C)."""
    per = series.size(0) // n_streams
    return series[: per * n_streams].view(n_streams, per, -1).transpose(0, 1).contiguous()


class Forecaster(nn.Module):
    def __init__(self, n_ch, hidden):
        super().__init__()
        self.gru = nn.GRU(n_ch, hidden, num_layers=2)
        self.out = nn.Linear(hidden, n_ch)

    def forward(self, x, h=None):
        y, h = self.gru(x, h)
        return self.out(y), h


def tbptt_steps(model, data, bptt, opt, clip):
    """Generator: one optimizer step per window; the hidden state is carried across windows
    but cut from the graph so backprop stays within a single window."""
    h = None
    for i in range(0, data.size(0) - 1 - bptt, bptt):
        x, y = data[i : i + bptt], data[i + 1 : i + 1 + bptt]
        if h is not None:
            h = h.detach()
        pred, h = model(x, h)
        loss = F.mse_loss(pred, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        yield loss.item()


@torch.no_grad()
def evaluate(model, data):
    pred, _ = model(data[:-1])
    return F.mse_loss(pred, data[1:]).item(), F.mse_loss(data[:-1], data[1:]).item()


def main():
    rng = np.random.default_rng(0)
    series = make_series(CFG["series_len"], rng)
    split = int(0.85 * len(series))
    train = batchify(series[:split], CFG["n_streams"])
    val = series[split:].unsqueeze(1)

    model = Forecaster(series.size(1), CFG["hidden"])
    opt = torch.optim.Adam(model.parameters(), lr=CFG["lr"])

    step = 0
    for epoch in range(CFG["epochs"]):
        model.train()
        losses = list(tbptt_steps(model, train, CFG["bptt"], opt, CFG["clip"]))
        step += len(losses)
        model.eval()
        vmse, persist = evaluate(model, val)
        print(f"epoch {epoch} step {step} train_mse {np.mean(losses):.4f} (first window {losses[0]:.3f}) "
              f"val_mse {vmse:.4f} persistence_baseline {persist:.4f}")


if __name__ == "__main__":
    main()
