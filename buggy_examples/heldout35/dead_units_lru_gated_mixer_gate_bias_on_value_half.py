"""
Sequence classifier built from a hand-written real diagonal LRU (linear recurrent unit:
h_t = lam*h_{t-1} + gamma*B x_t with lam = exp(-exp(nu_log)), gamma = sqrt(1-lam^2), y = C h + D x)
followed by a gated channel mixer relu(value) * sigmoid(gate) with a fused Linear(d, 2*hidden)
projection, mean pooling over time and a linear head. Task: classify noisy sine waves (length 32)
into 4 frequency bands. AdamW lr 3e-3, wd 1e-2, cosine annealing per step, batch 64 from a
DataLoader, 5 epochs over 2600 sequences (205 steps).

Seeded bug: the mixer is meant to start with its gates mostly closed, so the author fills the gate
bias with -2. The fused output is split with `value, gate = proj(x).chunk(2, -1)`, i.e. the value
half comes first, but the init writes `self.proj.bias[:d_hidden]` - the value half. Every ReLU value
unit therefore starts with a pre-activation of about N(-2, 0.6^2) on LayerNorm-ed inputs, never
fires, gets no gradient and stays dead; the block (no residual path) outputs a constant, so the
classifier sees nothing. Slicing the wrong half of a fused projection is an easy ordering mistake.

Measured (seed 0, 1 thread): buggy final test accuracy 0.240 (test loss 1.390, train loss 1.385 =
chance) vs fixed copy (`self.proj.bias[d_hidden:]`, the gate half) test accuracy 0.598
(test loss 0.916, train loss 0.855).
"""
# traindebug-expect: dead_units
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEQ_LEN = 32
D_MODEL = 32
D_FFN = 64
N_CLASSES = 4


def make_waves(n, rng):
    """Noisy waveforms; the class is the frequency band of the dominant oscillation."""
    freqs = np.array([1.0, 2.0, 3.5, 5.0])
    y = rng.integers(0, N_CLASSES, size=n)
    t = np.linspace(0, 2 * math.pi, SEQ_LEN)
    phase = rng.uniform(0, 2 * math.pi, size=(n, 1))
    amp = rng.uniform(0.5, 1.5, size=(n, 1))
    x = amp * np.sin(freqs[y][:, None] * t[None, :] + phase)
    x += 0.6 * rng.standard_normal((n, SEQ_LEN))
    return torch.tensor(x, dtype=torch.float32).unsqueeze(-1), torch.tensor(y)


class LRU(nn.Module):
    """Real diagonal linear recurrent unit: h_t = lam * h_{t-1} + gamma * B x_t, y_t = C h_t + D x_t."""

    def __init__(self, d_model, d_state, r_min=0.5, r_max=0.95):
        super().__init__()
        u = torch.rand(d_state)
        lam = r_min + (r_max - r_min) * u
        self.nu_log = nn.Parameter(torch.log(-torch.log(lam)))
        self.B = nn.Parameter(torch.randn(d_state, d_model) / math.sqrt(d_model))
        self.C = nn.Parameter(torch.randn(d_model, d_state) / math.sqrt(d_state))
        self.D = nn.Parameter(torch.randn(d_model) * 0.1)

    def forward(self, x):  # x: (B, T, d_model)
        lam = torch.exp(-torch.exp(self.nu_log))
        gamma = torch.sqrt(1 - lam ** 2)
        u = (x @ self.B.T) * gamma
        h = torch.zeros(x.shape[0], lam.shape[0])
        states = []
        for t in range(x.shape[1]):
            h = lam * h + u[:, t]
            states.append(h)
        hs = torch.stack(states, dim=1)
        return hs @ self.C.T + self.D * x


class GatedFFN(nn.Module):
    """relu(value) * sigmoid(gate) channel mixer with a fused input projection."""

    def __init__(self, d_model, d_hidden, gate_bias=-2.0):
        super().__init__()
        self.d_hidden = d_hidden
        self.proj = nn.Linear(d_model, 2 * d_hidden)
        self.out = nn.Linear(d_hidden, d_model)
        with torch.no_grad():
            # start with the gates mostly closed so each block begins close to a small perturbation
            self.proj.bias[:d_hidden].fill_(gate_bias)

    def forward(self, x):
        value, gate = self.proj(x).chunk(2, dim=-1)
        return self.out(F.relu(value) * torch.sigmoid(gate))


class LRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(1, D_MODEL)
        self.norm1 = nn.LayerNorm(D_MODEL)
        self.lru = LRU(D_MODEL, 48)
        self.norm2 = nn.LayerNorm(D_MODEL)
        self.ffn = GatedFFN(D_MODEL, D_FFN)
        self.head = nn.Linear(D_MODEL, N_CLASSES)

    def forward(self, x):
        h = self.encoder(x)
        h = self.lru(self.norm1(h))
        h = self.ffn(self.norm2(h))
        return self.head(h.mean(dim=1))


def main():
    rng = np.random.default_rng(0)
    x_tr, y_tr = make_waves(2600, rng)
    x_te, y_te = make_waves(1000, rng)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)

    model = LRUClassifier()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    epochs = 5
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(loader))

    step = 0
    for epoch in range(epochs):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(yb)
            n += len(yb)
            step += 1
        model.eval()
        with torch.no_grad():
            logits = model(x_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            te_acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch} step {step} train_loss {tot / n:.4f} test_loss {te_loss:.4f} test_acc {te_acc:.3f}")
    print(f"final test accuracy {te_acc:.3f}")


if __name__ == "__main__":
    main()
