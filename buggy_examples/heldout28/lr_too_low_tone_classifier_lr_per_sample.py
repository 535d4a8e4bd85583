"""1-D conv classifier (3 strided Conv1d+ReLU layers, global average pool, linear) for synthetic
audio-like clips (256 samples at 2 kHz): low tone, high tone, up-chirp, down-chirp, AM noise,
with random amplitude and additive noise. argparse config, SGD + Nesterov momentum 0.9,
DataLoader batches of 64, 10 epochs (200 steps), cross-entropy.

Seeded bug: the learning rate is computed as args.lr / args.batch_size ("per-sample" lr, a habit
from code that sums the loss over the batch), but F.cross_entropy already averages over the
batch. The effective lr is 0.1/64 = 1.6e-3, far too small for this model: the loss barely moves
off log(5) = 1.609 and the classifier stays at chance.

Measured: buggy final train loss 1.592, test loss 1.589, test accuracy 0.205. Fixed copy
(lr = args.lr = 0.1): final train loss 0.049, test loss 0.015, test accuracy 1.000.
"""
# traindebug-expect: lr_too_low
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)

SR = 2000
N_SAMPLES = 256
CLASSES = ["tone_low", "tone_high", "chirp_up", "chirp_down", "am_noise"]


def make_clip(kind, rng):
    t = np.arange(N_SAMPLES) / SR
    phase = rng.uniform(0, 2 * np.pi)
    if kind == "tone_low":
        f = rng.uniform(80, 160)
        x = np.sin(2 * np.pi * f * t + phase)
    elif kind == "tone_high":
        f = rng.uniform(400, 600)
        x = np.sin(2 * np.pi * f * t + phase)
    elif kind == "chirp_up":
        f0, f1 = rng.uniform(80, 150), rng.uniform(500, 700)
        x = np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / t[-1] * t ** 2) + phase)
    elif kind == "chirp_down":
        f0, f1 = rng.uniform(500, 700), rng.uniform(80, 150)
        x = np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / t[-1] * t ** 2) + phase)
    else:
        env = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(8, 20) * t + phase))
        x = env * rng.standard_normal(N_SAMPLES)
    x = x * rng.uniform(0.5, 1.5) + 0.3 * rng.standard_normal(N_SAMPLES)
    return x.astype(np.float32)


def build_dataset(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), size=n)
    X = np.stack([make_clip(CLASSES[k], rng) for k in y])
    return torch.from_numpy(X).unsqueeze(1), torch.from_numpy(y).long()


class TinyAudioNet(nn.Module):
    def __init__(self, n_classes, width=16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, width, 9, stride=2, padding=4), nn.ReLU(),
            nn.Conv1d(width, 2 * width, 9, stride=2, padding=4), nn.ReLU(),
            nn.Conv1d(2 * width, 2 * width, 9, stride=2, padding=4), nn.ReLU(),
        )
        self.classifier = nn.Linear(2 * width, n_classes)

    def forward(self, x):
        h = self.features(x)
        return self.classifier(h.mean(dim=-1))


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    X_tr, y_tr = build_dataset(1280, seed=args.seed)
    X_te, y_te = build_dataset(400, seed=args.seed + 100)
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=args.batch_size, shuffle=True, drop_last=True)

    model = TinyAudioNet(len(CLASSES))
    lr = args.lr / args.batch_size
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=args.momentum, nesterov=True)
    print(f"training {sum(p.numel() for p in model.parameters())} params, lr={lr:.2e}, "
          f"{len(loader)} batches/epoch")

    for epoch in range(args.epochs):
        running = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item()
        te_loss, te_acc = evaluate(model, X_te, y_te)
        print(f"epoch {epoch + 1:2d}  train loss {running / len(loader):.3f}  "
              f"test loss {te_loss:.3f}  test acc {te_acc:.3f}")

    print(f"final test accuracy: {te_acc:.3f}")


if __name__ == "__main__":
    main()
