"""Eight-layer 1-D CNN (nn.Sequential, custom Dataset/DataLoader) classifying synthetic noisy
waveforms (sine/square/sawtooth/triangle), SGD with Nesterov momentum.

Seeded bug (vanishing_gradients): every conv block uses nn.Sigmoid as its activation (with a
generic kaiming init helper). Each sigmoid layer multiplies the backward signal by at most 0.25,
so through eight stacked layers the early convolutions receive almost no gradient.

Measured at init (256 samples), weight-grad norm from first conv to the head:
3.3e-06, 1.2e-04, 3.7e-04, 1.3e-03, 4.7e-03, 1.2e-02, 5.0e-02, 1.7e-01, 3.4e-01 (1e5 ratio).
Training (8 epochs, 200 steps): train loss stuck at 1.39-1.40 (ln 4 = 1.386), val acc 0.253.
Fixed copy (nn.ReLU instead of nn.Sigmoid, same init/lr): grad norms 0.25 ... 1.38 at init,
train loss falls to 0.40, train acc 0.81, val acc 0.765.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

SEED = 11
SEQ_LEN = 64
N_TRAIN, N_VAL = 1600, 400


class WaveformDataset(Dataset):
    """Noisy sine / square / sawtooth / triangle snippets with random frequency and phase."""

    KINDS = ("sine", "square", "sawtooth", "triangle")

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        t = np.linspace(0.0, 1.0, SEQ_LEN, dtype=np.float32)
        self.y = rng.integers(0, len(self.KINDS), size=n)
        freq = rng.uniform(2.0, 6.0, size=(n, 1))
        phase = rng.uniform(0.0, 1.0, size=(n, 1))
        u = (freq * t[None, :] + phase) % 1.0
        waves = np.stack([
            np.sin(2 * np.pi * u),
            np.sign(np.sin(2 * np.pi * u)),
            2 * u - 1,
            2 * np.abs(2 * u - 1) - 1,
        ])
        x = waves[self.y, np.arange(n)]
        x = x * rng.uniform(0.5, 1.5, size=(n, 1)) + 0.25 * rng.standard_normal((n, SEQ_LEN))
        self.x = torch.tensor(x, dtype=torch.float32).unsqueeze(1)
        self.y = torch.tensor(self.y, dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def conv_block(c_in, c_out):
    return [nn.Conv1d(c_in, c_out, kernel_size=5, padding=2), nn.Sigmoid()]


def build_model(channels=(1, 16, 16, 16, 24, 24, 24, 32, 32), n_classes=4):
    layers = []
    for i, (a, b) in enumerate(zip(channels[:-1], channels[1:])):
        layers += conv_block(a, b)
        if i % 3 == 2:
            layers.append(nn.MaxPool1d(2))
    layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(channels[-1], n_classes)]
    model = nn.Sequential(*layers)
    model.apply(init_weights)
    return model


def init_weights(m):
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(m.bias)


def run_epoch(model, loader, loss_fn, opt=None):
    train = opt is not None
    model.train(train)
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            out = model(xb)
            loss = loss_fn(out, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


def main():
    torch.manual_seed(SEED)
    train_dl = DataLoader(WaveformDataset(N_TRAIN, SEED), batch_size=64, shuffle=True,
                          generator=torch.Generator().manual_seed(SEED))
    val_dl = DataLoader(WaveformDataset(N_VAL, SEED + 1), batch_size=256)
    model = build_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(8):
        tr_loss, tr_acc = run_epoch(model, train_dl, loss_fn, opt)
        va_loss, va_acc = run_epoch(model, val_dl, loss_fn)
        print(f"epoch {epoch} train_loss {tr_loss:.4f} train_acc {tr_acc:.3f} "
              f"val_loss {va_loss:.4f} val_acc {va_acc:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
