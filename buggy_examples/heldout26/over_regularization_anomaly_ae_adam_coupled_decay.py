"""Anomaly-detection autoencoder trained on normal machine data only, scored by reconstruction error.

Seeded bug (over_regularization): the config carries weight_decay=0.1 (a typical
*AdamW* value) but the optimizer is torch.optim.Adam, where weight_decay is a coupled
L2 term added to the gradient. The reconstruction gradients of this AE are small, so
the 0.1*w term dominates every update and Adam's normalisation turns it into a steady
shrink of all weights (|W| 8.0 -> 1.6); the AE collapses to predicting ~the mean.
Faults (channels individually plausible, cross-channel structure broken) are then no
harder to "reconstruct" than normal data.
Measured (15 epochs, 300 steps): recon MSE 0.999 -> 0.994, ROC-AUC 0.562, detection
rate at 5% false alarms 0.003. Fixed copy (weight_decay=0, or the same 0.1 with
AdamW): recon 0.85 -> 0.111, ROC-AUC 0.989, detection rate 0.937, |W| ~10.4.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score

torch.set_num_threads(1)
torch.manual_seed(4)
rng = np.random.default_rng(4)

N_FEAT, LATENT = 24, 3
mix = rng.normal(size=(LATENT * 2, N_FEAT)) / np.sqrt(LATENT)


def healthy_machine(n):
    """Normal operation: 24 correlated sensor channels driven by 3 hidden factors."""
    z = rng.normal(size=(n, LATENT))
    return np.concatenate([z, np.sin(2 * z)], 1) @ mix + 0.05 * rng.normal(size=(n, N_FEAT))


normal = healthy_machine(3000)
mu, sd = normal.mean(0), normal.std(0)
train = torch.tensor((normal[:2000] - mu) / sd, dtype=torch.float32)
val_normal = torch.tensor((normal[2000:] - mu) / sd, dtype=torch.float32)
# faults: each channel looks individually plausible, but the cross-channel structure is broken
faults = np.stack([rng.permutation(normal[2000:, j]) for j in range(N_FEAT)], 1)[:300]
val_fault = torch.tensor((faults - mu) / sd, dtype=torch.float32)

config = dict(hidden=64, code=4, lr=1e-3, weight_decay=0.1, epochs=15, batch_size=100)


class AE(nn.Module):
    def __init__(self, d, h, k):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ELU(), nn.Linear(h, h), nn.ELU(), nn.Linear(h, k))
        self.dec = nn.Sequential(nn.Linear(k, h), nn.ELU(), nn.Linear(h, h), nn.ELU(), nn.Linear(h, d))

    def forward(self, x):
        return self.dec(self.enc(x))


@torch.no_grad()
def anomaly_score(model, x):
    model.eval()
    return ((model(x) - x) ** 2).mean(1)


model = AE(N_FEAT, config["hidden"], config["code"])
opt = torch.optim.Adam(model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])

for epoch in range(config["epochs"]):
    model.train()
    perm = torch.randperm(len(train))
    ep_loss = 0.0
    for i in range(0, len(train), config["batch_size"]):
        xb = train[perm[i:i + config["batch_size"]]]
        loss = ((model(xb) - xb) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        ep_loss += loss.item() * len(xb)
    if epoch % 3 == 0 or epoch == config["epochs"] - 1:
        s_norm, s_fault = anomaly_score(model, val_normal), anomaly_score(model, val_fault)
        auc = roc_auc_score(np.r_[np.zeros(len(s_norm)), np.ones(len(s_fault))], torch.cat([s_norm, s_fault]).numpy())
        wnorm = sum(p.norm() ** 2 for n, p in model.named_parameters() if "weight" in n).sqrt().item()
        print(f"epoch {epoch:2d}  recon {ep_loss / len(train):.4f}  val-normal recon {s_norm.mean():.4f}  "
              f"ROC-AUC {auc:.3f}  |W| {wnorm:.2f}")

thr = torch.quantile(anomaly_score(model, val_normal), 0.95)
print(f"detection rate at 5% false alarms: {(anomaly_score(model, val_fault) > thr).float().mean():.3f}")
