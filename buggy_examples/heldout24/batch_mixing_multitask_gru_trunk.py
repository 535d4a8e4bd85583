"""Multi-task sequence model: a shared GRU trunk on noisy 2-channel oscillations feeds two heads,
frequency-band classification (3 classes) and amplitude regression; the losses are summed with
weights {cls: 1.0, reg: 0.5}. Adam + StepLR, 240 steps.

Seeded bug (batch_mixing): the data are (batch, time, feat) but nn.GRU is created without
batch_first=True, so it recurs over the batch dimension and treats the 24 time steps as the
batch. out[:, -1] then gives, for sample i, the GRU state after reading the last time step of
samples 0..i: each output depends on the other samples in the batch and not on its own
sequence history.

Measured (seed 0): validation accuracy 0.336 (chance 0.333), amplitude MSE 0.0110
(amplitude can still be read from a single time step).
Fixed copy (batch_first=True): validation accuracy 1.000, amplitude MSE 0.0045.
"""
# traindebug-expect: batch_mixing
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SEQ_LEN, N_FEAT, N_CLASSES = 24, 2, 3
LOSS_WEIGHTS = {"cls": 1.0, "reg": 0.5}


def synth(n, g):
    """Noisy 2-channel oscillations. Task A: frequency band (3 classes). Task B: amplitude."""
    band = torch.randint(0, N_CLASSES, (n,), generator=g)
    freq = 0.15 + 0.2 * band.float() + 0.03 * torch.randn(n, generator=g)
    amp = 0.5 + 1.5 * torch.rand(n, generator=g)
    phase = 2 * math.pi * torch.rand(n, generator=g)
    t = torch.arange(SEQ_LEN).float()
    s = amp[:, None] * torch.sin(freq[:, None] * t + phase[:, None])
    c = amp[:, None] * torch.cos(freq[:, None] * t + phase[:, None])
    x = torch.stack([s, c], -1) + 0.1 * torch.randn(n, SEQ_LEN, N_FEAT, generator=g)
    return x, band, amp


class SharedTrunk(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.inp = nn.Linear(N_FEAT, hidden)
        self.rnn = nn.GRU(hidden, hidden, num_layers=1)

    def forward(self, x):                     # x: (batch, time, feat)
        out, _ = self.rnn(torch.tanh(self.inp(x)))
        return out[:, -1]                     # last time step


class MultiTaskNet(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.trunk = SharedTrunk(hidden)
        self.cls_head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, N_CLASSES))
        self.reg_head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        z = self.trunk(x)
        return self.cls_head(z), self.reg_head(z).squeeze(-1)


def main():
    g = torch.Generator().manual_seed(0)
    xtr, ctr, atr = synth(1536, g)
    xva, cva, ava = synth(256, g)

    model = MultiTaskNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.5)
    bs, steps = 64, 240
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(xtr), (bs,), generator=g)
        logits, amp_hat = model(xtr[idx])
        l_cls = F.cross_entropy(logits, ctr[idx])
        l_reg = F.mse_loss(amp_hat, atr[idx])
        loss = LOSS_WEIGHTS["cls"] * l_cls + LOSS_WEIGHTS["reg"] * l_reg
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 60 == 0:
            model.eval()
            with torch.no_grad():
                vl, va = model(xva)
                acc = (vl.argmax(1) == cva).float().mean().item()
                mse = F.mse_loss(va, ava).item()
            model.train()
            print(f"step {step} loss {loss.item():.4f} val_acc {acc:.3f} val_amp_mse {mse:.4f}")
    print(f"final val_acc {acc:.3f} val_amp_mse {mse:.4f} (amp variance {ava.var().item():.4f})")


if __name__ == "__main__":
    main()
