"""Two-stage pipeline on sklearn digits: pretrain an MLP encoder as a
denoising autoencoder (4 epochs), then fine-tune encoder + linear probe head
for classification with a new AdamW optimizer (small encoder lr, larger head
lr) -- about 90 + 130 optimizer steps.

Seeded bug (frozen_or_unoptimized): `FineTuner.__init__` builds the AdamW
param groups from `model.head.parameters()`, and `fit()` then calls
`model.reset_head(n_classes)`, which replaces `head` with a fresh
LayerNorm+Linear. The new head receives gradients every step but its
parameters are not in the optimizer, so it stays at its random init; only
the encoder (at lr 2e-4) moves, trying to adapt to a random readout.

Measured: val acc 0.064 -> 0.504 after 6 fine-tune epochs (val loss 1.72).
Fixed copy (head built with 10 classes before the optimizer, no reset):
val acc 0.544 -> 0.918 (val loss 0.387).
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
SEED = 3


class DigitsDataset(Dataset):
    def __init__(self, x, y):
        self.x = torch.as_tensor(x, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.long)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class Encoder(nn.Module):
    def __init__(self, d_in=64, d_hid=128, d_code=24):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, d_hid), nn.GELU(), nn.Linear(d_hid, d_code))

    def forward(self, x):
        return self.net(x)


class PretrainModel(nn.Module):
    """Denoising autoencoder used only to pretrain the encoder."""

    def __init__(self, encoder, d_out=64):
        super().__init__()
        self.encoder = encoder
        self.decoder = nn.Sequential(nn.Linear(encoder.net[-1].out_features, 128), nn.GELU(),
                                     nn.Linear(128, d_out))

    def forward(self, x):
        return self.decoder(self.encoder(x))


class ProbeClassifier(nn.Module):
    def __init__(self, encoder, n_classes=2):
        super().__init__()
        self.encoder = encoder
        self.d_code = encoder.net[-1].out_features
        self.head = nn.Sequential(nn.LayerNorm(self.d_code), nn.Linear(self.d_code, n_classes))

    def reset_head(self, n_classes):
        self.head = nn.Sequential(nn.LayerNorm(self.d_code), nn.Linear(self.d_code, n_classes))

    def forward(self, x):
        return self.head(self.encoder(x))


def pretrain(encoder, loader, epochs=4, lr=2e-3, noise=0.3):
    model = PretrainModel(encoder)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for ep in range(epochs):
        tot = 0.0
        for xb, _ in loader:
            opt.zero_grad()
            loss = F.mse_loss(model(xb + noise * torch.randn_like(xb)), xb)
            loss.backward()
            opt.step()
            tot += loss.item() * len(xb)
        print(f"[pretrain] epoch {ep}  recon mse {tot / len(loader.dataset):.4f}")


class FineTuner:
    def __init__(self, model, enc_lr=2e-4, head_lr=3e-3, weight_decay=1e-2):
        self.model = model
        self.opt = torch.optim.AdamW([
            {"params": model.encoder.parameters(), "lr": enc_lr},
            {"params": model.head.parameters(), "lr": head_lr},
        ], weight_decay=weight_decay)

    def evaluate(self, x, y):
        self.model.eval()
        with torch.no_grad():
            logits = self.model(x)
        self.model.train()
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()

    def fit(self, loader, n_classes, x_val, y_val, epochs=6):
        self.model.reset_head(n_classes)
        for ep in range(epochs):
            for xb, yb in loader:
                self.opt.zero_grad()
                loss = F.cross_entropy(self.model(xb), yb)
                loss.backward()
                self.opt.step()
            vl, va = self.evaluate(x_val, y_val)
            print(f"[finetune] epoch {ep}  train loss {loss.item():.4f}  val loss {vl:.4f}  val acc {va:.3f}")


def main():
    torch.manual_seed(SEED)
    x, y = load_digits(return_X_y=True)
    x_tr, x_val, y_tr, y_val = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    scaler = StandardScaler().fit(x_tr)
    x_tr, x_val = scaler.transform(x_tr), scaler.transform(x_val)

    train_ds = DigitsDataset(x_tr, y_tr)
    loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    encoder = Encoder()
    pretrain(encoder, loader)

    clf = ProbeClassifier(encoder)
    tuner = FineTuner(clf)
    tuner.fit(loader, n_classes=10, x_val=torch.tensor(x_val, dtype=torch.float32),
              y_val=torch.tensor(y_val))


if __name__ == "__main__":
    main()
