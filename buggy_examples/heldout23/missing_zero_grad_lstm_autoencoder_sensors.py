"""LSTM sequence autoencoder for anomaly detection on generated 3-channel sensor
windows (argparse config, Adam, reconstruction-error anomaly score, AUROC).

Seeded bug (missing_zero_grad): optimizer.zero_grad() sits at the top of the epoch
loop instead of inside the batch loop, so within an epoch every backward() adds onto
the gradients of all previous batches (15 batches/epoch) and Adam follows a stale,
ever-growing gradient sum.  The autoencoder never gets past predicting the
per-channel mean.

Measured (12 epochs, 180 steps): final train reconstruction MSE 0.285 (= data
variance; epoch 1 was 0.292) and normal-window test MSE 0.285, AUROC 0.994.
With zero_grad() per batch: train MSE 0.095, normal-window MSE 0.082, anomalous 0.245,
AUROC 0.999.
"""
# traindebug-expect: missing_zero_grad
import argparse
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

torch.set_num_threads(1)


def sensor_windows(n, length, rng, anomalous=False):
    """3-channel machine telemetry: coupled sinusoids + noise; anomalies get a
    frequency drift on one channel and a short spike burst."""
    t = np.arange(length)[None, :]
    f = rng.uniform(0.08, 0.12, size=(n, 1))
    ph = rng.uniform(0, 2 * np.pi, size=(n, 1))
    a = np.sin(2 * np.pi * f * t + ph)
    b = 0.6 * np.sin(2 * np.pi * 2 * f * t + ph + 0.5)
    c = 0.5 * a + 0.5 * b
    x = np.stack([a, b, c], axis=-1) + 0.05 * rng.standard_normal((n, length, 3))
    if anomalous:
        drift = rng.uniform(0.03, 0.06, size=(n, 1))
        x[:, :, 1] = 0.6 * np.sin(2 * np.pi * (2 * f + drift) * t + ph + 0.5)
        pos = rng.integers(5, length - 5, size=n)
        for i, p in enumerate(pos):
            x[i, p:p + 3, 2] += rng.choice([-1.5, 1.5])
    return torch.tensor(x, dtype=torch.float32)


class LSTMAutoencoder(nn.Module):
    def __init__(self, n_feat=3, hidden=32, latent=8):
        super().__init__()
        self.encoder = nn.LSTM(n_feat, hidden, batch_first=True)
        self.to_latent = nn.Linear(hidden, latent)
        self.from_latent = nn.Linear(latent, hidden)
        self.decoder = nn.LSTM(hidden, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_feat)

    def forward(self, x):
        _, (h, _) = self.encoder(x)
        z = self.to_latent(h[-1])
        rep = self.from_latent(z).unsqueeze(1).repeat(1, x.shape[1], 1)
        out, _ = self.decoder(rep)
        return self.head(out)


def window_errors(model, x):
    model.eval()
    with torch.no_grad():
        err = ((model(x) - x) ** 2).mean(dim=(1, 2))
    model.train()
    return err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.005)
    ap.add_argument("--window", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train_x = sensor_windows(480, args.window, rng)
    test_normal = sensor_windows(200, args.window, rng)
    test_anom = sensor_windows(200, args.window, rng, anomalous=True)

    loader = DataLoader(TensorDataset(train_x), batch_size=args.batch_size, shuffle=True)
    model = LSTMAutoencoder()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    crit = nn.MSELoss()

    for epoch in range(args.epochs):
        opt.zero_grad()
        running = 0.0
        for (xb,) in loader:
            recon = model(xb)
            loss = crit(recon, xb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            running += loss.item() * len(xb)
        print(f"epoch {epoch + 1:2d}  recon mse {running / len(train_x):.4f}")

    e_norm = window_errors(model, test_normal)
    e_anom = window_errors(model, test_anom)
    scores = torch.cat([e_norm, e_anom]).numpy()
    labels = np.r_[np.zeros(len(e_norm)), np.ones(len(e_anom))]
    print(f"normal-window mse {e_norm.mean():.4f}  anomalous-window mse {e_anom.mean():.4f}  "
          f"AUROC {roc_auc_score(labels, scores):.3f}")


if __name__ == "__main__":
    main()
