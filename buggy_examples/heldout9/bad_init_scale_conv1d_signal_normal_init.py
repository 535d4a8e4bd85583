"""1-D CNN (3 conv blocks with GELU and max-pooling, global average pool, MLP head) that tells
apart sine, square, sawtooth and chirp signals in noise; Adamax.

Seeded bug: init_weights() draws every Conv1d/Linear weight from N(0, 1.0) (the "std" entry in
the config), whatever the fan-in, which is 7 to 448 here. Activations grow at each layer and the
logits at initialisation are in the thousands.

Measured: step-0 loss 21,924 against ln 4 = 1.386 for chance. After 228 steps the training loss
is still 328, with val_loss 381 and val_acc 0.670. Fixed copy (Kaiming-normal init): step-0 loss
2.33, final val_loss 0.187, val_acc 0.933.
"""
# traindebug-expect: bad_init_scale
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = {
    "signal": {"length": 128, "n_train": 2400, "n_val": 600, "noise": 0.6},
    "net": {"channels": [32, 64, 64], "kernel": 7, "init": {"scheme": "normal", "std": 1.0}},
    "opt": {"lr": 2e-3},
    "fit": {"batch_size": 64, "epochs": 6},
}
CLASSES = ("sine", "square", "sawtooth", "chirp")


def synth(n, length, noise, rng):
    t = np.linspace(0, 1, length)
    y = rng.integers(0, len(CLASSES), size=n)
    f = rng.uniform(3, 8, size=(n, 1))
    ph = rng.uniform(0, 2 * np.pi, size=(n, 1))
    arg = 2 * np.pi * f * t + ph
    x = np.empty((n, length))
    x[y == 0] = np.sin(arg[y == 0])
    x[y == 1] = np.sign(np.sin(arg[y == 1]))
    x[y == 2] = 2 * ((arg[y == 2] / (2 * np.pi)) % 1.0) - 1
    x[y == 3] = np.sin(2 * np.pi * (f[y == 3] * t + 6 * t ** 2) + ph[y == 3])
    x = x * rng.uniform(0.5, 1.5, size=(n, 1)) + noise * rng.normal(size=x.shape)
    return torch.tensor(x, dtype=torch.float32).unsqueeze(1), torch.tensor(y)


class ConvBlock(nn.Module):
    def __init__(self, c_in, c_out, k):
        super().__init__()
        self.conv = nn.Conv1d(c_in, c_out, k, padding=k // 2)
        self.pool = nn.MaxPool1d(2)

    def forward(self, x):
        return self.pool(F.gelu(self.conv(x)))


class SignalCNN(nn.Module):
    def __init__(self, channels, kernel, n_classes, init):
        super().__init__()
        blocks, c_prev = [], 1
        for c in channels:
            blocks.append(ConvBlock(c_prev, c, kernel))
            c_prev = c
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(nn.Linear(c_prev, 64), nn.GELU(), nn.Linear(64, n_classes))
        self.init_weights(**init)

    def init_weights(self, scheme, std):
        for m in self.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                if scheme == "normal":
                    nn.init.normal_(m.weight, mean=0.0, std=std)
                elif scheme == "kaiming":
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.features(x)
        return self.classifier(h.mean(-1))


def main():
    rng = np.random.default_rng(0)
    s = CONFIG["signal"]
    xtr, ytr = synth(s["n_train"], s["length"], s["noise"], rng)
    xva, yva = synth(s["n_val"], s["length"], s["noise"], rng)
    dl = DataLoader(TensorDataset(xtr, ytr), batch_size=CONFIG["fit"]["batch_size"], shuffle=True)

    model = SignalCNN(n_classes=len(CLASSES), **CONFIG["net"])
    opt = torch.optim.Adamax(model.parameters(), lr=CONFIG["opt"]["lr"])
    print(f"chance-level loss ln(C) = {math.log(len(CLASSES)):.3f}")

    step = 0
    for epoch in range(CONFIG["fit"]["epochs"]):
        model.train()
        losses = []
        for xb, yb in dl:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step == 0:
                print(f"step 0 loss {loss.item():.3f}")
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            out = model(xva)
            vl = F.cross_entropy(out, yva).item()
            acc = (out.argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch} step {step} train_loss {np.mean(losses):.4f} val_loss {vl:.4f} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
