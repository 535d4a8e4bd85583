"""Seeded bug (input_scale): a StandardScaler is fitted and the scaled arrays are
computed, but the raw wine features (proline ~300-1700, magnesium ~70-160, others ~0.1-30)
are what get split into the two views and fed to the bilinear model. The view encoders'
tanh units are driven far into saturation by the huge unnormalised columns.
Measured (30 epochs, 240 Adam steps): buggy train loss 1.087, test loss 1.092,
test acc 0.389 (near chance for 3 classes). Feeding the standardised arrays instead:
train loss 0.0004, test loss 0.036, test acc 0.981.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

# wine: columns 0-6 = "chemistry" view, columns 7-12 = "colour / phenol" view
VIEW_A = list(range(0, 7))
VIEW_B = list(range(7, 13))


class BilinearInteraction(nn.Module):
    """Two small view encoders fused by a bilinear layer (outer-product style)."""

    def __init__(self, da, db, h=16, n_out=3):
        super().__init__()
        self.enc_a = nn.Linear(da, h)
        self.enc_b = nn.Linear(db, h)
        self.bil = nn.Bilinear(h, h, 24)
        self.out = nn.Linear(24, n_out)

    def forward(self, xa, xb):
        ha = torch.tanh(self.enc_a(xa))
        hb = torch.tanh(self.enc_b(xb))
        z = F.relu(self.bil(ha, hb))
        return self.out(z)


def split_views(x):
    x = torch.as_tensor(x, dtype=torch.float32)
    return x[:, VIEW_A], x[:, VIEW_B]


def main():
    data = load_wine()
    Xtr, Xte, ytr, yte = train_test_split(data.data, data.target, test_size=0.3,
                                          random_state=4, stratify=data.target)
    scaler = StandardScaler().fit(Xtr)
    Xtr_s, Xte_s = scaler.transform(Xtr), scaler.transform(Xte)
    print("train/test sizes:", len(Xtr_s), len(Xte_s))

    tr_a, tr_b = split_views(Xtr)
    te_a, te_b = split_views(Xte)
    ytr_t, yte_t = torch.tensor(ytr), torch.tensor(yte)
    loader = DataLoader(TensorDataset(tr_a, tr_b, ytr_t), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(1))

    model = BilinearInteraction(len(VIEW_A), len(VIEW_B))
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    for epoch in range(30):
        model.train()
        total = 0.0
        for xa, xb, yb in loader:
            loss = F.cross_entropy(model(xa, xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        if (epoch + 1) % 5 == 0:
            model.eval()
            with torch.no_grad():
                logits = model(te_a, te_b)
                te_loss = F.cross_entropy(logits, yte_t).item()
                acc = (logits.argmax(1) == yte_t).float().mean().item()
            print(f"epoch {epoch + 1:2d}  train_loss {total / len(ytr_t):.4f}  test_loss {te_loss:.4f}  test_acc {acc:.3f}")


if __name__ == "__main__":
    main()
