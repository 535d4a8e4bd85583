"""FiLM-conditioned multi-task regressor (task embedding modulates hidden layers), dict batches.

Seeded bug (loss_output_mismatch): the model returns predictions of shape (B, 1)
while the target batch["y"] has shape (B,); `F.mse_loss(pred, batch["y"])`
silently broadcasts to (B, B), so every prediction is regressed onto every
target in the batch and the network can only learn the batch mean.
Measured after 282 steps: buggy val MSE 0.481 (var(y) = 0.487, i.e. no fit);
fixed (`pred.squeeze(-1)`): val MSE 0.064, train MSE 0.058.
"""
# traindebug-expect: loss_output_mismatch
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class Config:
    n_tasks: int = 6
    in_dim: int = 4
    hidden: int = 64
    cond_dim: int = 16
    n_train: int = 3000
    n_val: int = 600
    batch_size: int = 64
    epochs: int = 6
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 11


def make_tasks(cfg, rng):
    """Each task is a different smooth function of x; which one is given by task id."""
    W = rng.normal(0, 1, size=(cfg.n_tasks, cfg.in_dim))
    phase = rng.uniform(0, np.pi, size=cfg.n_tasks)
    amp = rng.uniform(0.5, 2.0, size=cfg.n_tasks)

    def sample(n):
        x = rng.normal(0, 1, size=(n, cfg.in_dim)).astype(np.float32)
        t = rng.integers(0, cfg.n_tasks, size=n)
        y = amp[t] * np.sin((x * W[t]).sum(1) + phase[t]) + 0.3 * x[:, 0] * (t % 2)
        y = y + 0.05 * rng.normal(size=n)
        return {"x": torch.from_numpy(x), "task": torch.from_numpy(t), "y": torch.from_numpy(y.astype(np.float32))}

    return sample(cfg.n_train), sample(cfg.n_val)


class FiLM(nn.Module):
    def __init__(self, cond_dim, channels):
        super().__init__()
        self.proj = nn.Linear(cond_dim, 2 * channels)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, h, c):
        gamma, beta = self.proj(c).chunk(2, dim=-1)
        return h * (1 + gamma) + beta


class FiLMRegressor(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.task_emb = nn.Embedding(cfg.n_tasks, cfg.cond_dim)
        self.fc1 = nn.Linear(cfg.in_dim, cfg.hidden)
        self.film1 = FiLM(cfg.cond_dim, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, cfg.hidden)
        self.film2 = FiLM(cfg.cond_dim, cfg.hidden)
        self.out = nn.Linear(cfg.hidden, 1)

    def forward(self, batch):
        c = self.task_emb(batch["task"])
        h = F.silu(self.film1(self.fc1(batch["x"]), c))
        h = F.silu(self.film2(self.fc2(h), c))
        return self.out(h)


def iterate(data, batch_size, generator):
    n = data["y"].shape[0]
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        yield {k: v[idx] for k, v in data.items()}


def main(cfg=Config()):
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    train, val = make_tasks(cfg, rng)
    model = FiLMRegressor(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    total = cfg.epochs * ((cfg.n_train + cfg.batch_size - 1) // cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total)

    for epoch in range(cfg.epochs):
        model.train()
        losses = []
        for batch in iterate(train, cfg.batch_size, gen):
            pred = model(batch)
            loss = F.mse_loss(pred, batch["y"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            val_pred = model(val).view(-1)
            val_mse = F.mse_loss(val_pred, val["y"]).item()
        print(f"epoch {epoch}  train {np.mean(losses):.4f}  val_mse {val_mse:.4f}  (var(y)={val['y'].var().item():.4f})")


if __name__ == "__main__":
    main()
