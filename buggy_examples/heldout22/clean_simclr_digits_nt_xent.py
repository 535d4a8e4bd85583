"""Clean control: SimCLR-style contrastive pre-training of a small CNN on 8x8 digits with
two augmented views and the NT-Xent (InfoNCE) loss. Patterns a naive detector might
misread: the similarity matrix has its diagonal filled with -inf before cross-entropy
(deliberate masking of self-similarity, the loss stays finite); the "labels" are
just torch.arange positions, not class labels; and the loss starts at ln(2B-1) = 5.54
(chance level for 255 candidates) and stays far above zero, as InfoNCE always does.
Measured (15 epochs, 135 AdamW steps): nt_xent 5.40 (epoch 1) -> 4.62 -> 3.83 ->
3.34 -> 3.02 -> 2.84 (epoch 15); linear probe on the frozen encoder 0.967 test acc
(0.961 with the random-init encoder, which already does well on digits).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(2)
np.random.seed(2)

BATCH = 128
EPOCHS = 15
TEMPERATURE = 0.2


def augment(x):
    """Per-image random translation (+-1 px), contrast jitter and pixel noise."""
    b = x.size(0)
    pad = F.pad(x, (1, 1, 1, 1))
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 0.8 * (0.9 + 0.2 * torch.rand(b))
    theta[:, :, 2] = (torch.rand(b, 2) - 0.5) * 0.5
    grid = F.affine_grid(theta, (b, 1, 8, 8), align_corners=False)
    out = F.grid_sample(pad, grid, align_corners=False)
    out = out * (0.7 + 0.6 * torch.rand(b, 1, 1, 1))
    return out + 0.05 * torch.randn_like(out)


class Encoder(nn.Module):
    def __init__(self, feat=64):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1, stride=2), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
        )
        self.fc = nn.Linear(128, feat)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


class SimCLR(nn.Module):
    def __init__(self, feat=64, proj=32):
        super().__init__()
        self.encoder = Encoder(feat)
        self.projector = nn.Sequential(nn.Linear(feat, feat), nn.ReLU(), nn.Linear(feat, proj))

    def forward(self, x):
        return self.projector(self.encoder(x))


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.size(0)
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


@torch.no_grad()
def linear_probe(encoder, Xtr, ytr, Xte, yte):
    encoder.eval()
    ftr, fte = encoder(Xtr).numpy(), encoder(Xte).numpy()
    encoder.train()
    mu, sd = ftr.mean(0), ftr.std(0) + 1e-6
    ftr, fte = (ftr - mu) / sd, (fte - mu) / sd
    clf = LogisticRegression(max_iter=300).fit(ftr, ytr)
    return clf.score(fte, yte)


def main():
    d = load_digits()
    X = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    Xtr, Xte, ytr, yte = train_test_split(X, d.target, test_size=0.3, random_state=0)
    model = SimCLR()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    print(f"ln(2B-1) = {math.log(2 * BATCH - 1):.3f}   probe acc at init: "
          f"{linear_probe(model.encoder, Xtr, ytr, Xte, yte):.3f}")
    for epoch in range(1, EPOCHS + 1):
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(Xtr) - BATCH + 1, BATCH):
            xb = Xtr[perm[i:i + BATCH]]
            loss = nt_xent(model(augment(xb)), model(augment(xb)), TEMPERATURE)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if epoch % 3 == 0 or epoch == 1:
            print(f"epoch {epoch:2d}  nt_xent {np.mean(losses):.4f}  (min batch {min(losses):.4f})")
    print(f"linear probe acc after pre-training: {linear_probe(model.encoder, Xtr, ytr, Xte, yte):.3f}")


if __name__ == "__main__":
    main()
