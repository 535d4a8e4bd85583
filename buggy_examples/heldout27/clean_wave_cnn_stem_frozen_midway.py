"""
Clean control. A 1-D CNN classifies generated waveforms (sine / square /
sawtooth / triangle with random frequency, phase and noise). Halfway through
training the stem block is frozen for fine-tuning by setting requires_grad=False
on its parameters, while the optimizer (built at the start) still lists them.
Because zero_grad() sets gradients to None, SGD simply skips the frozen tensors;
the remaining blocks keep training. A naive detector might flag the stem as
"parameters in the optimizer that stop changing" or "parameters without
gradients" during the second half; that is intended.
Measured (seed 0, 300 SGD steps, freeze after epoch 5 of 10): train loss
1.38 -> 0.34, test accuracy 0.817 (most errors are sine vs triangle)
(4 classes, chance 0.25); the stem weights are bit-identical after the freeze.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)

LENGTH = 96


def waveforms(n, rng):
    t = np.arange(LENGTH) / LENGTH
    y = rng.integers(0, 4, n)
    f = rng.uniform(2, 6, (n, 1))
    ph = rng.uniform(0, 1, (n, 1))
    u = (f * t + ph) % 1.0
    sine = np.sin(2 * np.pi * u)
    square = np.sign(sine)
    saw = 2 * u - 1
    tri = 2 * np.abs(2 * u - 1) - 1
    x = np.choose(y[:, None], [sine, square, saw, tri])
    x = x * rng.uniform(0.5, 1.5, (n, 1)) + 0.3 * rng.normal(size=x.shape)
    return torch.tensor(x[:, None, :], dtype=torch.float32), torch.tensor(y)


def conv_block(c_in, c_out, k):
    return nn.Sequential(nn.Conv1d(c_in, c_out, k, padding=k // 2), nn.GELU(), nn.MaxPool1d(2))


class WaveNet1D(nn.Module):
    def __init__(self, n_cls=4):
        super().__init__()
        self.stem = conv_block(1, 16, 7)
        self.body = nn.Sequential(conv_block(16, 32, 5), conv_block(32, 32, 3))
        self.head = nn.Linear(32, n_cls)

    def forward(self, x):
        h = self.body(self.stem(x))
        return self.head(h.mean(-1))


def freeze(module):
    for p in module.parameters():
        p.requires_grad_(False)


def main():
    rng = np.random.default_rng(0)
    Xtr, ytr = waveforms(1920, rng)
    Xte, yte = waveforms(600, rng)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    model = WaveNet1D()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
    epochs = 10
    snapshot = None
    for epoch in range(1, epochs + 1):
        if epoch == epochs // 2 + 1:
            freeze(model.stem)
            snapshot = [p.clone() for p in model.stem.parameters()]
            print("stem frozen; fine-tuning body and head")
        model.train()
        tot, n = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(yb); n += len(yb)
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch}  train loss {tot / n:.4f}  test acc {acc:.3f}")
    unchanged = all(torch.equal(a, b) for a, b in zip(snapshot, model.stem.parameters()))
    print(f"stem unchanged since freeze: {unchanged}")


if __name__ == "__main__":
    main()
